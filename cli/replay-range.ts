import { z } from "zod";
import { DEDUP_WINDOW_MS } from "#shared/domain/profile/index.js";
import { OperationsError } from "./operations-error.js";

/** The longest range replayed without `--force`. */
export const REPLAY_RANGE_MAX_DAYS = 31;

const DAY_MS = 86_400_000;
const dateTime = z.iso.datetime({ offset: true });
const dateOnly = z.iso.date();

/** A time flag's value as epoch ms: an ISO 8601 date-time with `Z` or an offset, or a date (midnight UTC). */
export function parseReplayTime(flag: string, text: string | undefined): number {
  const example = "like 2026-12-06T18:00:00Z (or a date: 2026-12-06, midnight UTC)";
  if (text === undefined) throw new OperationsError(`--${flag} is required: an ISO 8601 time ${example}`);
  const value = text.trim();
  if (dateTime.safeParse(value).success) return Date.parse(value);
  if (dateOnly.safeParse(value).success) return Date.parse(`${value}T00:00:00Z`);
  const hint = /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(value) ? " (say which zone: add Z or an offset)" : "";
  throw new OperationsError(`--${flag}: expected an ISO 8601 time ${example}, got "${text}"${hint}`);
}

/** A replay's range, checked. */
export interface ReplayRange {
  readonly fromMs: number;
  readonly toMs: number;
  /** Said before the replay starts (the range reaches past the dedup memory of ingest). */
  readonly warnings: readonly string[];
}

/**
 * `--from` and `--to` as a range `[from, to]`, both inclusive: refused when reversed, or longer than
 * {@link REPLAY_RANGE_MAX_DAYS} days without `force` (a typo in a year should not re-put a year of events). Warns
 * when the range starts more than ingest's dedup window before `now`: records of it folded that long ago are
 * no longer remembered, and would count twice.
 */
export function replayRange(
  from: string | undefined,
  to: string | undefined,
  options: { readonly force: boolean; readonly now: number },
): ReplayRange {
  const fromMs = parseReplayTime("from", from);
  const toMs = parseReplayTime("to", to);
  const iso = (ms: number) => new Date(ms).toISOString();
  if (fromMs > toMs) {
    throw new OperationsError(`--from (${iso(fromMs)}) is after --to (${iso(toMs)}): swap them`);
  }
  const days = (toMs - fromMs) / DAY_MS;
  if (days > REPLAY_RANGE_MAX_DAYS && !options.force) {
    throw new OperationsError(
      `the range is ${days.toFixed(1)} days; more than ${REPLAY_RANGE_MAX_DAYS} needs --force (check the dates)`,
    );
  }
  const warnings: string[] = [];
  const hours = DEDUP_WINDOW_MS / 3_600_000;
  if (options.now - fromMs > DEDUP_WINDOW_MS) {
    warnings.push(
      `the range starts more than ${hours} h ago: ingest remembers an event's messageId for ${hours} h, so events ` +
        "of the range that were folded before that count again — replay only the failed batches' range " +
        "(docs/operations.md, Replay)",
    );
  }
  return { fromMs, toMs, warnings };
}
