import { isTimeZone, localTimeAt } from "../campaigns/time-zone.js";
import type { OpenHours, Profile } from "./profile.js";
import { DAY_MS } from "./windows.js";

/** Open-hour counts halve every 60 days: habits change, old opens fade. */
export const OPEN_HOURS_HALF_LIFE_MS = 60 * DAY_MS;
/** Hours in the histogram. */
export const OPEN_HOURS_BUCKETS = 24;

const decay = (ms: number): number => 2 ** (-ms / OPEN_HOURS_HALF_LIFE_MS);
const round = (count: number): number => Math.round(count * 1000) / 1000;
/** Counts below this are dropped. */
const COUNT_FLOOR = 0.01;

/** Counts of 24 hours as the profile keeps them: only hours with a count, rounded. */
function sparse(counts: readonly number[]): Record<string, number> {
  const kept: Record<string, number> = {};
  counts.forEach((count, hour) => {
    const rounded = round(count);
    if (rounded >= COUNT_FLOOR) kept[String(hour)] = rounded;
  });
  return kept;
}

/** The zone open hours are counted in: the customer's valid `timezone` trait, else UTC. */
export function openHoursZone(profile: Profile): string {
  const zone = profile.t?.timezone;
  return zone !== undefined && isTimeZone(zone) ? zone : "UTC";
}

/** `histogram` decayed from its as-of time to `time` (never brought back from a later time). */
export function openHoursAt(histogram: OpenHours, time: number): number[] {
  const factor = time > histogram.t ? decay(time - histogram.t) : 1;
  return Array.from(
    { length: OPEN_HOURS_BUCKETS },
    (_, hour) => (Object.hasOwn(histogram.h, hour) ? (histogram.h[hour] ?? 0) : 0) * factor,
  );
}

/**
 * Counts an open at `time` in its local hour (in {@link openHoursZone}). The counts share one as-of time, the
 * newest open: a newer open decays the others first; an older one adds its weight already decayed, so the order
 * opens arrive in barely matters (rounding aside). Recorded once per send (its first open, or its first click when
 * the open was not seen).
 */
export function recordOpenHour(profile: Profile, time: number): void {
  const local = localTimeAt(time, openHoursZone(profile));
  if (local === undefined) return;
  const histogram = profile.oh ?? { t: time, h: {} };
  const counts = openHoursAt(histogram, Math.max(time, histogram.t));
  const asOf = Math.max(time, histogram.t);
  counts[local.hour] = (counts[local.hour] ?? 0) + decay(asOf - time);
  profile.oh = { t: asOf, h: sparse(counts) };
}

/** The open hours of one customer who opened what both did: both decayed to the later time, counts added. */
export function mergeOpenHours(a: OpenHours | undefined, b: OpenHours | undefined): OpenHours | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const t = Math.max(a.t, b.t);
  const left = openHoursAt(a, t);
  const right = openHoursAt(b, t);
  return { t, h: sparse(left.map((count, hour) => count + (right[hour] ?? 0))) };
}
