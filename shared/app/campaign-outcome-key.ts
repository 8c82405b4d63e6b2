import type { LedgerEntry } from "../domain/campaigns/contracts.js";
import { reasonKind } from "./dry-run/dry-run-session.js";

/** Longest reason kind kept in a counter's key; longer ones are cut (a reason kind is a short phrase). */
export const MAX_REASON_KIND_LENGTH = 80;

/**
 * The counter key of a ledger entry: its outcome, and for a skip the kind of its reason without what is particular
 * to one customer (`skipped:quiet hours`), as the dry run groups them.
 */
export function campaignOutcomeKey(entry: Pick<LedgerEntry, "outcome" | "reason">): string {
  if (entry.outcome !== "skipped") return entry.outcome;
  const kind = reasonKind(entry.reason ?? "")
    .slice(0, MAX_REASON_KIND_LENGTH)
    .trim();
  return `skipped:${kind === "" ? "other" : kind}`;
}

/** The UTC day (`YYYY-MM-DD`) of an epoch-ms time. */
export const utcDayOf = (at: number): string => new Date(at).toISOString().slice(0, 10);
