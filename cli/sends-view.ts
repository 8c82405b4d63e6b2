import type { LedgerEntry } from "#shared/domain/campaigns/index.js";

/** How far back `tailor explain` looks for sends. */
export const SENDS_LOOKBACK_MS = 30 * 24 * 60 * 60 * 1000;

const WORDS: Readonly<Record<LedgerEntry["outcome"], string>> = {
  sent: "sent    ",
  holdout: "holdout ",
  skipped: "skipped ",
  deferred: "deferred",
  failed: "failed  ",
};

/** `2026-11-23 14:03` in UTC. */
const minute = (at: number) => new Date(at).toISOString().slice(0, 16).replace("T", " ");

/** The step of a send key (`campaign#customer#occurrence#step`), counted from 1 for people. */
function stepOf(key: string): string {
  const step = Number(key.slice(key.lastIndexOf("#") + 1));
  return Number.isInteger(step) ? `step ${step + 1}` : "";
}

/**
 * A customer's sends and decisions not to send, newest first, one line each with the reason:
 * `2026-11-23 14:03 UTC  skipped   newsletter step 1: capped: 3 marketing emails in 7 days`.
 */
export function sendLines(entries: readonly LedgerEntry[]): string[] {
  if (entries.length === 0) return ["no sends or skipped sends in the last 30 days"];
  const sent = entries.filter((e) => e.outcome === "sent").length;
  const lines = [`${sent} sent, ${entries.length - sent} not sent, in the last 30 days (newest first):`];
  for (const entry of entries) {
    const what = `${entry.campaignId} ${stepOf(entry.key)}`.trim();
    const variant = entry.variant === undefined ? "" : ` (variant ${entry.variant})`;
    const why = entry.reason === undefined ? "" : `: ${entry.reason}`;
    lines.push(`  ${minute(entry.at)} UTC  ${WORDS[entry.outcome]}  ${what}${variant}${why}`);
  }
  return lines;
}
