import { normalQuantile } from "./normal.js";
import { checkLevel, checkProportion, type Interval } from "./proportion.js";

/**
 * The Wilson score interval for a binomial rate (Wilson 1927; method 3 in Newcombe 1998): good coverage at
 * small counts and rates near 0 or 1, never outside [0, 1]. With no trials it is the whole [0, 1].
 *
 * @param confidence two-sided level, 0.95 by default.
 * @throws StatisticsInputError on impossible counts or a level outside (0, 1).
 */
export function wilsonInterval(successes: number, trials: number, confidence = 0.95): Interval {
  checkProportion({ successes, trials });
  checkLevel(confidence, "confidence");
  if (trials === 0) return { lower: 0, upper: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / trials;
  const z2n = (z * z) / trials;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / trials + z2n / (4 * trials));
  // At 0 or all successes the bound is exactly 0 or 1; rounding must not move it.
  return {
    lower: successes === 0 ? 0 : Math.max(0, centre - half),
    upper: successes === trials ? 1 : Math.min(1, centre + half),
  };
}
