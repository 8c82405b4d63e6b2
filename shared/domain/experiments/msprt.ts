import { StatisticsInputError } from "./errors.js";
import { checkLevel, checkProportion, type Interval, type Proportion, rate } from "./proportion.js";

/** Settings of the mixture sequential probability ratio test. */
export interface MsprtOptions {
  /**
   * Standard deviation of the normal mixing distribution over the true difference rateB − rateA, as a
   * fraction (0.01 = 1 point). It is a prior guess of the size of real effects: the test detects effects near
   * τ fastest, and any τ > 0 keeps the error guarantee. Johari et al. fit it to the effects of past
   * experiments; without that history, use the minimum detectable effect you plan for.
   */
  readonly tau: number;
  /** The error level; `reject` holds once the always-valid p-value is at or below it. @default 0.05 */
  readonly alpha?: number;
}

/** What carries from one look to the next, so the p-value only falls and the interval only narrows. */
export interface MsprtState {
  readonly pValue: number;
  readonly interval: Interval;
}

/** The sequential test at one look. */
export interface MsprtResult {
  /** The mixture likelihood ratio Λ of "some difference, drawn from N(0, τ²)" against "no difference". */
  readonly statistic: number;
  /** The always-valid p-value: the smallest 1/Λ over this and all earlier looks, at most 1. */
  readonly pValue: number;
  /** True once pValue ≤ alpha; it never turns false again as looks continue. */
  readonly reject: boolean;
  /** rateB − rateA at this look. */
  readonly difference: number;
  /**
   * The always-valid (1 − α) confidence sequence on rateB − rateA, intersected over looks: the differences
   * θ₀ whose own mixture ratio stays below 1/α. It holds the true difference at every look at once with
   * probability ≥ 1 − α.
   */
  readonly interval: Interval;
  /** Pass to the next look. */
  readonly state: MsprtState;
}

/** The state before the first look. */
export const MSPRT_START: MsprtState = { pValue: 1, interval: { lower: -1, upper: 1 } };

/**
 * An always-valid test of rateA = rateB that may be checked after every send without inflating false
 * positives: the mixture sequential probability ratio test (mSPRT) of Johari, Koomen, Pekelis & Walsh,
 * "Always Valid Inference: Continuous Monitoring of A/B Tests" (Operations Research, 2022; arXiv 1512.04922),
 * on the normal approximation of the difference of two proportions.
 *
 * With θ̂ = rateB − rateA and its variance s², the ratio against H0: θ = 0 under a N(0, τ²) mixture is
 *
 *   Λ = √(s² / (s² + τ²)) · exp(τ² θ̂² / (2 s² (s² + τ²))).
 *
 * For the test, s² is the variance under H0 (pooled rate: p̄q̄ (1/nA + 1/nB), the same as the z-test),
 * which is never 0 while the arms differ and does not understate the noise of an arm with no successes yet.
 * For the confidence sequence, s² is the plug-in variance rateA·(1 − rateA)/nA + rateB·(1 − rateB)/nB, as
 * the paper does, since the difference there is not assumed 0. By Ville's inequality
 * P(sup Λ ≥ 1/α) ≤ α under H0 (exactly for normal data, asymptotically for proportions), so the p-value
 * min over looks of 1/Λ can be watched continuously.
 *
 * Pass the previous look's `state` to keep the p-value monotone; with no state the look is treated as the
 * first, which is only right if no earlier look was acted on — {@link msprtPath} replays a whole history.
 *
 * @throws StatisticsInputError on impossible counts, τ ≤ 0 or α outside (0, 1).
 */
export function msprt(
  a: Proportion,
  b: Proportion,
  options: MsprtOptions,
  state: MsprtState = MSPRT_START,
): MsprtResult {
  checkProportion(a, "A");
  checkProportion(b, "B");
  const alpha = options.alpha ?? 0.05;
  checkLevel(alpha, "alpha");
  const { tau } = options;
  if (!(tau > 0 && Number.isFinite(tau))) throw new StatisticsInputError(`tau must be positive, got ${tau}`);
  const tau2 = tau * tau;
  const difference = rate(b) - rate(a);

  let statistic = 1;
  let interval = state.interval;
  if (a.trials > 0 && b.trials > 0) {
    const pooled = (a.successes + b.successes) / (a.trials + b.trials);
    const nullVariance = pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials);
    if (nullVariance > 0) statistic = mixtureRatio(difference, nullVariance, tau2);
    const pa = rate(a);
    const pb = rate(b);
    const variance = (pa * (1 - pa)) / a.trials + (pb * (1 - pb)) / b.trials;
    if (variance > 0) {
      const half = Math.sqrt(
        ((2 * variance * (variance + tau2)) / tau2) *
          (Math.log(1 / alpha) + 0.5 * Math.log((variance + tau2) / variance)),
      );
      interval = {
        lower: Math.max(interval.lower, difference - half),
        upper: Math.min(interval.upper, difference + half),
      };
    }
  }
  const pValue = Math.min(state.pValue, 1 / statistic, 1);
  return { statistic, pValue, reject: pValue <= alpha, difference, interval, state: { pValue, interval } };
}

function mixtureRatio(difference: number, variance: number, tau2: number): number {
  const total = variance + tau2;
  return Math.sqrt(variance / total) * Math.exp((tau2 * difference * difference) / (2 * variance * total));
}

/** One look at the cumulative counts of both arms. */
export interface Look {
  readonly a: Proportion;
  readonly b: Proportion;
}

/**
 * Replays {@link msprt} over cumulative counts in time order and returns the result at every look; the last
 * one is the current verdict. Recomputing from the path needs no stored state.
 */
export function msprtPath(looks: readonly Look[], options: MsprtOptions): MsprtResult[] {
  const results: MsprtResult[] = [];
  let state = MSPRT_START;
  for (const look of looks) {
    const result = msprt(look.a, look.b, options, state);
    results.push(result);
    state = result.state;
  }
  return results;
}
