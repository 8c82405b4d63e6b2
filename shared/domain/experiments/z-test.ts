import { normalCdf, normalQuantile } from "./normal.js";
import { checkLevel, checkProportion, type Interval, type Proportion, rate } from "./proportion.js";
import { wilsonInterval } from "./wilson.js";

/** The fixed-horizon comparison of arm B against arm A. */
export interface ZTestResult {
  readonly rateA: number;
  readonly rateB: number;
  /** rateB − rateA, as a fraction (0.021 is +2.1 points). */
  readonly difference: number;
  /** The z statistic with the pooled standard error (0 when it is undefined: no trials or no variation). */
  readonly z: number;
  /** Two-sided p-value of H0: rateA = rateB. */
  readonly pValue: number;
  /** Newcombe's hybrid score interval for the difference at the requested confidence. */
  readonly interval: Interval;
}

/**
 * Two-proportion z-test of B against A, for a look planned in advance (it is not valid when repeated: use
 * {@link msprt} for that). The test statistic uses the pooled standard error, so z² equals Pearson's χ² on the
 * 2×2 table without continuity correction and the p-value matches `scipy.stats.chi2_contingency(…,
 * correction=False)`. The interval on the difference is Newcombe's hybrid score interval (method 10 of
 * Newcombe 1998, built from the two Wilson intervals), chosen over the Wald interval because it keeps its
 * coverage at small counts and low rates, which email clicks and conversions are. The interval and the test
 * can disagree right at the border; the verdict uses the interval.
 *
 * @param confidence two-sided level of the interval, 0.95 by default.
 * @throws StatisticsInputError on impossible counts.
 */
export function twoProportionZTest(a: Proportion, b: Proportion, confidence = 0.95): ZTestResult {
  checkProportion(a, "A");
  checkProportion(b, "B");
  checkLevel(confidence, "confidence");
  const rateA = rate(a);
  const rateB = rate(b);
  const difference = rateB - rateA;
  const interval = newcombeInterval(a, b, confidence);
  if (a.trials === 0 || b.trials === 0) return { rateA, rateB, difference, z: 0, pValue: 1, interval };
  const pooled = (a.successes + b.successes) / (a.trials + b.trials);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials));
  if (se === 0) return { rateA, rateB, difference, z: 0, pValue: 1, interval };
  const z = difference / se;
  return { rateA, rateB, difference, z, pValue: 2 * normalCdf(-Math.abs(z)), interval };
}

/**
 * Newcombe's hybrid score interval for rateB − rateA (Newcombe 1998, method 10): the difference less and
 * plus the distances to the arms' Wilson bounds, combined in quadrature.
 */
export function newcombeInterval(a: Proportion, b: Proportion, confidence = 0.95): Interval {
  const pa = rate(a);
  const pb = rate(b);
  const wa = wilsonInterval(a.successes, a.trials, confidence);
  const wb = wilsonInterval(b.successes, b.trials, confidence);
  const difference = pb - pa;
  return {
    lower: difference - Math.sqrt((pb - wb.lower) ** 2 + (wa.upper - pa) ** 2),
    upper: difference + Math.sqrt((wb.upper - pb) ** 2 + (pa - wa.lower) ** 2),
  };
}

/** The two-sided critical value z for a confidence level (1.959964 for 0.95). */
export function criticalValue(confidence: number): number {
  checkLevel(confidence, "confidence");
  return normalQuantile(1 - (1 - confidence) / 2);
}
