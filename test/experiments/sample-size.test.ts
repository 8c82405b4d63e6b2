import { describe, expect, it } from "vitest";
import {
  normalCdf,
  normalQuantile,
  requiredSampleSize,
  StatisticsInputError,
} from "#shared/domain/experiments/index.js";

/** Power of the two-sided pooled z-test with n per arm (the normal approximation the formula inverts). */
function power(p1: number, p2: number, n: number, alpha: number): number {
  const mean = (p1 + p2) / 2;
  const zAlpha = normalQuantile(1 - alpha / 2);
  const shift = Math.abs(p2 - p1) * Math.sqrt(n) - zAlpha * Math.sqrt(2 * mean * (1 - mean));
  return normalCdf(shift / Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2)));
}

describe("requiredSampleSize (Fleiss, Levin & Paik eq. 4.14, no continuity correction)", () => {
  it("gives 3,841 per arm for 10 % → 12 %, α 0.05, power 0.8", () => {
    // R: power.prop.test(p1 = 0.10, p2 = 0.12, power = 0.8) → n = 3840.847; recomputed with SciPy 1.17.1
    // (norm.ppf) as 3840.847482436276. The unpooled shortcut (z_α/2 + z_β)²(p1q1 + p2q2)/Δ² gives 3838.1.
    expect(requiredSampleSize(0.1, 0.02)).toBe(3841);
  });

  it("is the smallest n whose power reaches the target", () => {
    for (const [p, mde, alpha, target] of [
      [0.1, 0.02, 0.05, 0.8],
      [0.03, 0.005, 0.05, 0.9],
      [0.5, 0.1, 0.01, 0.8],
      [0.97, 0.05, 0.05, 0.8],
    ] as const) {
      const n = requiredSampleSize(p, mde, alpha, target);
      const p2 = p + mde <= 1 ? p + mde : p - mde;
      expect(power(p, p2, n, alpha)).toBeGreaterThanOrEqual(target);
      expect(power(p, p2, n - 1, alpha)).toBeLessThan(target);
    }
  });

  it("grows about fourfold when the effect halves", () => {
    const ratio = requiredSampleSize(0.1, 0.01) / requiredSampleSize(0.1, 0.02);
    expect(ratio).toBeGreaterThan(3.8);
    expect(ratio).toBeLessThan(4.2);
  });

  it("refuses impossible inputs", () => {
    expect(() => requiredSampleSize(1.2, 0.01)).toThrow(StatisticsInputError);
    expect(() => requiredSampleSize(0.1, 0)).toThrow(StatisticsInputError);
    expect(() => requiredSampleSize(0.1, 0.01, 1)).toThrow(StatisticsInputError);
    expect(() => requiredSampleSize(0.5, 0.6)).toThrow(StatisticsInputError);
  });
});
