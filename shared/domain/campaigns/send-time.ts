import { OPEN_HOURS_BUCKETS, openHoursAt, type Profile } from "../profile/index.js";
import type { QuietHours } from "./definition.js";
import { isQuietMinute } from "./quiet-hours.js";
import { formatMinuteOfDay, localTimeAt } from "./time-zone.js";

/**
 * The population's open hours as shares of 24 local hours (summing to 1): the prior of every customer's best
 * hour. Without a measured one, {@link DEFAULT_OPEN_HOUR_PRIOR}: a morning peak and a larger evening one.
 */
export type OpenHourPrior = readonly number[];

/** Weights of the default prior, by local hour (normalised by {@link normalisePrior}). */
const DEFAULT_WEIGHTS = [
  1, 0.5, 0.3, 0.2, 0.2, 0.4, 1, 2, 4, 5, 4.5, 4, 4.5, 4, 3.5, 3.5, 3.5, 4, 5, 6, 6.5, 5.5, 4, 2,
];

/** Shares of `weights` (24 non-negative numbers); uniform when they sum to nothing. */
export function normalisePrior(weights: readonly number[]): OpenHourPrior {
  const counts = Array.from({ length: OPEN_HOURS_BUCKETS }, (_, hour) => Math.max(0, weights[hour] ?? 0));
  const total = counts.reduce((sum, count) => sum + count, 0);
  return counts.map((count) => (total > 0 ? count / total : 1 / OPEN_HOURS_BUCKETS));
}

/** The prior used until the population's own is measured. */
export const DEFAULT_OPEN_HOUR_PRIOR: OpenHourPrior = normalisePrior(DEFAULT_WEIGHTS);

/**
 * How many opens the prior weighs: a customer with fewer (decayed) opens than this leans on the population, one
 * with many on their own habits.
 */
export const OPEN_HOUR_PRIOR_WEIGHT = 4;

/**
 * The posterior probability of each local hour being when the customer opens (Dirichlet-multinomial): the
 * customer's decayed open counts plus {@link OPEN_HOUR_PRIOR_WEIGHT} pseudo-opens spread as the prior, normalised.
 */
export function openHourPosterior(
  profile: Profile,
  now: number,
  prior: OpenHourPrior = DEFAULT_OPEN_HOUR_PRIOR,
): { readonly probabilities: readonly number[]; readonly opens: number } {
  const counts = profile.oh === undefined ? [] : openHoursAt(profile.oh, now);
  const opens = counts.reduce((sum, count) => sum + count, 0);
  const probabilities = Array.from(
    { length: OPEN_HOURS_BUCKETS },
    (_, hour) =>
      ((counts[hour] ?? 0) + OPEN_HOUR_PRIOR_WEIGHT * (prior[hour] ?? 0)) / (opens + OPEN_HOUR_PRIOR_WEIGHT),
  );
  return { probabilities, opens };
}

/** Candidate send times are this far apart (a quarter hour, so zones with :30 and :45 offsets are served). */
const STEP_MS = 15 * 60_000;

/** Where a best-time send lands and why. */
export interface BestTime {
  /** The instant to send at (epoch ms). */
  readonly at: number;
  /** The local hour chosen, 0–23. */
  readonly hour: number;
  readonly probability: number;
}

/**
 * The best time within `[from, from + withinMs]` to send: the first instant of the local hour (in `timeZone`)
 * with the highest posterior probability, the earliest on a tie, `from` itself when its own hour wins. Hours in
 * the quiet hours are never chosen; when the whole window is quiet, `from` (the quiet-hours rule then defers it).
 */
export function bestSendTime(input: {
  readonly probabilities: readonly number[];
  readonly from: number;
  readonly withinMs: number;
  readonly timeZone: string;
  readonly quietHours?: QuietHours;
}): BestTime {
  let best: BestTime | undefined;
  let lastHourKey = "";
  for (let at = input.from; at <= input.from + input.withinMs; at = nextStep(at, input.from)) {
    const local = localTimeAt(at, input.timeZone);
    if (local === undefined) break;
    const hourKey = `${local.year}-${local.month}-${local.day}T${local.hour}`;
    if (hourKey === lastHourKey) continue;
    if (input.quietHours !== undefined && isQuietMinute(input.quietHours, local.hour * 60 + local.minute))
      continue;
    lastHourKey = hourKey;
    const probability = input.probabilities[local.hour] ?? 0;
    if (best === undefined || probability > best.probability) best = { at, hour: local.hour, probability };
  }
  return best ?? { at: input.from, hour: localTimeAt(input.from, input.timeZone)?.hour ?? 0, probability: 0 };
}

/** The next quarter-hour boundary after `at` (the first step aligns to the clock, later ones follow it). */
function nextStep(at: number, from: number): number {
  return at === from ? Math.floor(from / STEP_MS) * STEP_MS + STEP_MS : at + STEP_MS;
}

/**
 * The reason of a deferral to the best time: `best time: 19:00 Europe/Paris (from 7 opens)`, or for a customer
 * without opens `(learned population prior)` / `(default population prior)` as `priorSource` says.
 */
export function bestTimeReason(
  best: BestTime,
  timeZone: string,
  opens: number,
  priorSource?: "learned" | "default",
): string {
  return `best time: ${formatMinuteOfDay(best.hour * 60)} ${timeZone} (${openHoursBasis(opens, priorSource)})`;
}

/**
 * What a best hour rests on: `population prior` (no opens learned yet; `learned population prior` or `default
 * population prior` when the prior's source is given) or `from 7 opens` (decayed, rounded).
 */
export function openHoursBasis(opens: number, priorSource?: "learned" | "default"): string {
  if (opens < 0.5) return priorSource === undefined ? "population prior" : `${priorSource} population prior`;
  const n = Math.max(1, Math.round(opens));
  return `from ${n} open${n === 1 ? "" : "s"}`;
}
