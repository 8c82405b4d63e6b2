import { StatisticsInputError } from "./errors.js";
import { normalQuantile } from "./normal.js";
import { checkLevel } from "./proportion.js";

/**
 * Sends needed per arm for a two-sided two-proportion z-test to detect an absolute change of
 * `minimumDetectableEffect` from `baselineRate` with the given power, by the formula of Fleiss, Levin & Paik
 * (Statistical Methods for Rates and Proportions, 3rd ed., 2003, eq. 4.14) without continuity correction —
 * the same as R's `power.prop.test`:
 *
 *   n = [z₁₋α/₂ · √(2 p̄ q̄) + z₁₋β · √(p₁q₁ + p₂q₂)]² / (p₂ − p₁)², p̄ = (p₁ + p₂)/2,
 *
 * rounded up. The alternative rate p₂ is baseline + MDE, or baseline − MDE when that would pass 1.
 * Example: baseline 10 %, MDE 2 points, α 0.05, power 0.8 → 3,841 per arm (the unpooled-variance shortcut
 * (z₁₋α/₂ + z₁₋β)² (p₁q₁ + p₂q₂)/Δ² gives 3,839).
 *
 * @throws StatisticsInputError if the baseline is outside [0, 1], the MDE not in (0, 1), or α or power
 * outside (0, 1).
 */
export function requiredSampleSize(
  baselineRate: number,
  minimumDetectableEffect: number,
  alpha = 0.05,
  power = 0.8,
): number {
  if (!(baselineRate >= 0 && baselineRate <= 1)) {
    throw new StatisticsInputError(`the baseline rate must be in [0, 1], got ${baselineRate}`);
  }
  if (!(minimumDetectableEffect > 0 && minimumDetectableEffect < 1)) {
    throw new StatisticsInputError(
      `the minimum detectable effect must be in (0, 1), got ${minimumDetectableEffect}`,
    );
  }
  checkLevel(alpha, "alpha");
  checkLevel(power, "power");
  const p1 = baselineRate;
  const up = p1 + minimumDetectableEffect;
  const p2 = up <= 1 ? up : p1 - minimumDetectableEffect;
  if (p2 < 0) {
    throw new StatisticsInputError(
      `a change of ${minimumDetectableEffect} from ${baselineRate} leaves [0, 1] in both directions`,
    );
  }
  const zAlpha = normalQuantile(1 - alpha / 2);
  const zBeta = normalQuantile(power);
  const mean = (p1 + p2) / 2;
  const root = zAlpha * Math.sqrt(2 * mean * (1 - mean)) + zBeta * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
  return Math.ceil((root * root) / (p2 - p1) ** 2);
}
