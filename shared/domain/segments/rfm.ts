/**
 * # RFM
 *
 * Recency, frequency and monetary scores 1–5 from quintiles of the population of customers who ordered.
 *
 * - **Inputs** per customer: `recencyDays` = whole days since the last order (`floor((now − o.l) / 1 day)`),
 *   `frequency` = number of orders (`o.n`), `monetary` = the orders' totals net of refunds and cancels (`o.r`,
 *   the default basis `total`) or their Segment `revenue` net the same way (`o.v`, basis `revenue`; `o.r` on a
 *   profile folded before `o.v` existed), minor units of the customer's currency (currencies are not converted).
 * - **Basis** ({@link RfmMonetaryBasis}): a setting of the batch that computes the thresholds (the rescoring's
 *   `RFM_MONETARY_BASIS`), stored with the thresholds, so live scoring reads what the cut points were made of.
 * - **Thresholds** ({@link rfmThresholds}): the 20th, 40th, 60th and 80th percentiles of each input over the
 *   population, nearest-rank (the value at sorted position `ceil(p × n)`), computed in batch.
 * - **Scores** ({@link rfmScores}): frequency and monetary score 1 up to the 1st cut point (included), 2 up to
 *   the 2nd, 3 up to the 3rd, 4 up to the 4th, 5 above. Recency is reversed (fewer days is better): 5 up to the
 *   1st cut point, … 1 above the 4th. Ties all fall in the lowest bucket that holds them.
 *
 * ## Cohorts ({@link RFM_COHORTS})
 *
 * Named from the R and F scores, after the usual RFM segment grid:
 *
 * | cohort               | R     | F     |
 * |----------------------|-------|-------|
 * | `champions`          | 5     | 4–5   |
 * | `loyal`              | 3–4   | 4–5   |
 * | `potential_loyalist` | 4–5   | 2–3   |
 * | `new_customers`      | 5     | 1     |
 * | `at_risk`            | 1–2   | 3–4   |
 * | `cant_lose`          | 1–2   | 5     |
 * | `hibernating`        | 2     | 1–2   |
 * | `lost`               | 1     | 1–2   |
 *
 * R 3 with F 1–3 ("about to sleep", "needs attention") and R 4 with F 1 ("promising") are in no named cohort.
 *
 * @module
 */
import { DAY_MS, type Profile } from "../profile/index.js";
import type { RfmMonetaryBasis, RfmScores, RfmThresholds } from "./contracts.js";
import type { RfmCohort } from "./definition.js";

/** Inclusive ranges of R and F scores that make each cohort. */
export const RFM_COHORTS: Readonly<
  Record<RfmCohort, { readonly r: [number, number]; readonly f: [number, number] }>
> = {
  champions: { r: [5, 5], f: [4, 5] },
  loyal: { r: [3, 4], f: [4, 5] },
  potential_loyalist: { r: [4, 5], f: [2, 3] },
  new_customers: { r: [5, 5], f: [1, 1] },
  at_risk: { r: [1, 2], f: [3, 4] },
  cant_lose: { r: [1, 2], f: [5, 5] },
  hibernating: { r: [2, 2], f: [1, 2] },
  lost: { r: [1, 1], f: [1, 2] },
};

/** Whether scores fall in a cohort. */
export function inCohort(scores: Pick<RfmScores, "r" | "f">, cohort: RfmCohort): boolean {
  const rule = RFM_COHORTS[cohort];
  return scores.r >= rule.r[0] && scores.r <= rule.r[1] && scores.f >= rule.f[0] && scores.f <= rule.f[1];
}

/** The monetary bases, the default first. */
export const RFM_MONETARY_BASES = ["total", "revenue"] as const satisfies readonly RfmMonetaryBasis[];

/** The monetary basis when nothing sets one: `total`. */
export const DEFAULT_RFM_MONETARY_BASIS: RfmMonetaryBasis = "total";

/** One customer's RFM inputs (monetary on `basis`), or undefined if they never ordered. */
export function rfmSample(
  profile: Profile,
  now: number,
  basis: RfmMonetaryBasis = DEFAULT_RFM_MONETARY_BASIS,
): { recencyDays: number; frequency: number; monetary: number } | undefined {
  const orders = profile.o;
  if (orders === undefined || orders.n === 0 || orders.l === undefined) return undefined;
  return {
    recencyDays: Math.max(0, Math.floor((now - orders.l) / DAY_MS)),
    frequency: orders.n,
    monetary: basis === "revenue" ? (orders.v ?? orders.r) : orders.r,
  };
}

type Cuts = readonly [number, number, number, number];

/** 1 + the number of cut points strictly below `value`. */
function ascending(value: number, cuts: Cuts): number {
  let score = 1;
  for (const cut of cuts) if (value > cut) score++;
  return score;
}

/** The customer's scores at `now` against the population's thresholds; undefined: never ordered. */
export function rfmScores(profile: Profile, thresholds: RfmThresholds, now: number): RfmScores | undefined {
  const sample = rfmSample(profile, now, thresholds.monetaryBasis);
  if (sample === undefined) return undefined;
  return {
    r: 6 - ascending(sample.recencyDays, thresholds.recencyDays),
    f: ascending(sample.frequency, thresholds.frequency),
    m: ascending(sample.monetary, thresholds.monetary),
    at: now,
  };
}

/**
 * When time alone next lowers the recency score (epoch ms): the day `recencyDays` passes the next cut point;
 * undefined when it is already 1 or the customer never ordered. F and M never change by time.
 */
export function rfmNextChangeAt(
  profile: Profile,
  thresholds: RfmThresholds,
  now: number,
): number | undefined {
  const last = profile.o?.l;
  const sample = rfmSample(profile, now);
  if (last === undefined || sample === undefined) return undefined;
  const next = thresholds.recencyDays.find((cut) => sample.recencyDays <= cut);
  if (next === undefined) return undefined;
  return Math.max(now + 1, last + (Math.floor(next) + 1) * DAY_MS);
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index] ?? 0;
}

function cutsOf(values: number[]): Cuts {
  const sorted = values.sort((a, b) => a - b);
  return [percentile(sorted, 0.2), percentile(sorted, 0.4), percentile(sorted, 0.6), percentile(sorted, 0.8)];
}

/**
 * Quintile cut points of each input over the population (customers who ordered), computed at `now` from
 * samples whose monetary value is on `basis` (recorded with them). An empty population gives all-zero cut points.
 */
export function rfmThresholds(
  samples: Iterable<{ recencyDays: number; frequency: number; monetary: number }>,
  now: number,
  basis: RfmMonetaryBasis = DEFAULT_RFM_MONETARY_BASIS,
): RfmThresholds {
  const recency: number[] = [];
  const frequency: number[] = [];
  const monetary: number[] = [];
  for (const sample of samples) {
    recency.push(sample.recencyDays);
    frequency.push(sample.frequency);
    monetary.push(sample.monetary);
  }
  return {
    recencyDays: cutsOf(recency),
    frequency: cutsOf(frequency),
    monetary: cutsOf(monetary),
    computedAt: now,
    population: recency.length,
    monetaryBasis: basis,
  };
}
