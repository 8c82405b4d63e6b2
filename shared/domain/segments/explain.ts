import type { Evaluation, Reason } from "./contracts.js";
import { formatTime } from "./describe.js";

function lines(reason: Reason, depth: number, out: string[]): void {
  const seen = reason.seen === undefined ? "" : ` — seen: ${reason.seen}`;
  out.push(`${"  ".repeat(depth)}${reason.held ? "✓" : "✗"} ${reason.text}${seen}`);
  for (const child of reason.children ?? []) lines(child, depth + 1, out);
}

/**
 * An evaluation as indented text: a header line (segment, in or out, when it can next change by time), then
 * one line per condition, `✓` held or `✗` failed, its text and what was seen.
 *
 * ```text
 * cart-abandoners: in (can change at 2026-11-21T10:00Z)
 *   ✓ all of — seen: 2 of 2 held
 *     ✓ Product Added at least once in the last 48 h — seen: 2 times
 *     ✓ no Order Completed since the last Product Added — seen: no Order Completed, last Product Added …
 * ```
 */
export function explainText(evaluation: Evaluation): string {
  const next =
    evaluation.nextChangeAt === undefined ? "" : ` (can change at ${formatTime(evaluation.nextChangeAt)})`;
  const out = [`${evaluation.segmentId}: ${evaluation.member ? "in" : "out"}${next}`];
  lines(evaluation.reason, 1, out);
  return out.join("\n");
}
