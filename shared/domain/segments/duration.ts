import { DAY_MS, HOUR_MS } from "../profile/index.js";
import type { Window } from "./definition.js";

const MINUTE_MS = 60_000;
const UNIT_MS = { m: MINUTE_MS, h: HOUR_MS, d: DAY_MS } as const;
const DURATION = /^(\d{1,6})(m|h|d)$/;

/** Longest window counted by the hour; longer windows are counted by the UTC day. */
export const HOURLY_WINDOW_MAX_HOURS = 48;
/** Longest window. */
export const WINDOW_MAX_DAYS = 90;

/** A duration written `30m`, `24h` or `7d`, in ms; undefined when not of that form. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (match === null) return undefined;
  const [, amount, unit] = match;
  if (amount === undefined || (unit !== "m" && unit !== "h" && unit !== "d")) return undefined;
  return Number(amount) * UNIT_MS[unit];
}

/**
 * The window a duration stands for, or why it cannot be one: up to 48 h it must be whole hours (counted by the
 * hour), beyond it whole days up to 90 d (counted by the UTC day).
 */
export function windowOf(text: string): Window | { problem: string } {
  const ms = parseDuration(text);
  if (ms === undefined)
    return { problem: `expected a duration like 30m, 24h or 7d (got ${JSON.stringify(text)})` };
  if (ms <= 0) return { problem: "a window must be longer than zero" };
  if (ms <= HOURLY_WINDOW_MAX_HOURS * HOUR_MS) {
    if (ms % HOUR_MS !== 0) return { problem: `windows up to ${HOURLY_WINDOW_MAX_HOURS}h are whole hours` };
    return { unit: "hour", buckets: ms / HOUR_MS, text: text.trim() };
  }
  if (ms % DAY_MS !== 0) return { problem: `windows longer than ${HOURLY_WINDOW_MAX_HOURS}h are whole days` };
  if (ms > WINDOW_MAX_DAYS * DAY_MS) return { problem: `windows are at most ${WINDOW_MAX_DAYS}d` };
  return { unit: "day", buckets: ms / DAY_MS, text: text.trim() };
}
