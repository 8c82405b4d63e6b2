import { DAY_MS, HOUR_MS } from "../profile/index.js";
import type { QuietHours } from "./definition.js";
import { type LocalTime, localTimeAt } from "./time-zone.js";

const MINUTE_MS = 60_000;

/** Whether a local minute of the day falls in the quiet window (`start` inclusive, `end` exclusive). */
export function isQuietMinute(quiet: QuietHours, minuteOfDay: number): boolean {
  const { startMinute: start, endMinute: end } = quiet;
  return start < end ? minuteOfDay >= start && minuteOfDay < end : minuteOfDay >= start || minuteOfDay < end;
}

const minuteOfDay = (local: LocalTime): number => local.hour * 60 + local.minute;

function isQuietAt(quiet: QuietHours, instant: number, timeZone: string): boolean {
  const local = localTimeAt(instant, timeZone);
  return local !== undefined && isQuietMinute(quiet, minuteOfDay(local));
}

/** The zone's offset from UTC at `instant` (ms, whole minutes). */
function offsetAt(instant: number, timeZone: string): number {
  const local = localTimeAt(instant, timeZone);
  if (local === undefined) return 0;
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute);
  return wall - Math.floor(instant / MINUTE_MS) * MINUTE_MS;
}

/**
 * The first whole minute at or after `now` that is outside the quiet hours in `timeZone`, or undefined when
 * `now` is not quiet. Exact across daylight-saving changes: the wall-clock end is converted with the zone's
 * offsets on both sides of `now`, then the first allowed minute is found by bisection, so an end that does not
 * exist on a spring-forward day (02:30 in Europe/Paris) yields the first minute after the gap.
 */
export function quietUntil(quiet: QuietHours, now: number, timeZone: string): number | undefined {
  const local = localTimeAt(now, timeZone);
  if (local === undefined || !isQuietMinute(quiet, minuteOfDay(local))) return undefined;
  const endsTomorrow = quiet.startMinute > quiet.endMinute && minuteOfDay(local) >= quiet.startMinute;
  const wall = Date.UTC(
    local.year,
    local.month - 1,
    local.day + (endsTomorrow ? 1 : 0),
    Math.floor(quiet.endMinute / 60),
    quiet.endMinute % 60,
  );
  const first = wall - offsetAt(now, timeZone);
  const candidates = [first, wall - offsetAt(first, timeZone)].filter(
    (t) => t > now && !isQuietAt(quiet, t, timeZone),
  );
  let hi = Math.min(...candidates);
  if (!Number.isFinite(hi)) {
    // Not expected for real zones; a bounded scan keeps the answer correct anyway.
    hi = now;
    while (isQuietAt(quiet, hi, timeZone) && hi - now < 2 * DAY_MS) hi += HOUR_MS / 4;
  }
  let lo = Math.floor(now / MINUTE_MS);
  let high = Math.ceil(hi / MINUTE_MS);
  while (high - lo > 1) {
    const mid = Math.floor((lo + high) / 2);
    if (isQuietAt(quiet, mid * MINUTE_MS, timeZone)) lo = mid;
    else high = mid;
  }
  return high * MINUTE_MS;
}
