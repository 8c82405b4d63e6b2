import { describe, expect, it } from "vitest";
import {
  EmptyDistributionError,
  histogramStability,
  PSI_EPSILON,
  populationStability,
  scoreHistogram,
  sumHistograms,
  tierOf,
} from "#shared/app/rescoring/index.js";

describe("tierOf", () => {
  it("puts 0.6 and above in high, 0.3 and above in medium, the rest in low", () => {
    expect([0, 0.29999, 0.3, 0.45, 0.59999, 0.6, 0.95, 1].map(tierOf)).toEqual([
      "low",
      "low",
      "medium",
      "medium",
      "medium",
      "high",
      "high",
      "high",
    ]);
  });
});

describe("scoreHistogram", () => {
  it("counts probabilities in equal-width bins, 1 in the last one", () => {
    expect(scoreHistogram([0, 0.05, 0.1, 0.55, 0.99, 1], 10)).toEqual([2, 1, 0, 0, 0, 1, 0, 0, 0, 2]);
    expect(sumHistograms([[1, 2, 3], [0, 1, 1], []])).toEqual([1, 3, 4]);
  });
});

describe("populationStability", () => {
  it("is 0 for identical distributions (and for the same shape at another size)", () => {
    const scores = [0.05, 0.12, 0.33, 0.41, 0.47, 0.62, 0.8, 0.93];
    expect(populationStability(scores, scores)).toEqual({ psi: 0, drift: false });
    expect(populationStability(scores, [...scores, ...scores]).psi).toBeCloseTo(0, 12);
  });

  it("matches a shift computed by hand", () => {
    // Two bins: previous 50% / 50%, current 25% / 75%.
    // PSI = (0.25 − 0.5)·ln(0.25/0.5) + (0.75 − 0.5)·ln(0.75/0.5) = 0.25·ln 2 + 0.25·ln 1.5 = 0.25·ln 3 ≈ 0.2747
    const result = populationStability([0.1, 0.2, 0.7, 0.8], [0.1, 0.7, 0.8, 0.9], 2);
    expect(result.psi).toBeCloseTo(0.25 * Math.log(3), 12);
    expect(result.drift).toBe(true);
  });

  it("does not flag a small shift", () => {
    // 50/50 → 55/45: 0.05·ln 1.1 − 0.05·ln 0.9 ≈ 0.0100
    const result = histogramStability([50, 50], [55, 45]);
    expect(result.psi).toBeCloseTo(0.05 * Math.log(1.1) - 0.05 * Math.log(0.9), 12);
    expect(result.drift).toBe(false);
  });

  it("floors empty bins at epsilon so a complete move stays finite", () => {
    // All in bin 0 → all in bin 9: 2·(1 − ε)·ln(1/ε).
    const result = populationStability([0.01, 0.02], [0.98, 0.99]);
    expect(result.psi).toBeCloseTo(2 * (1 - PSI_EPSILON) * Math.log(1 / PSI_EPSILON), 9);
    expect(result.drift).toBe(true);
  });

  it("refuses an empty distribution", () => {
    expect(() => populationStability([], [0.5])).toThrow(EmptyDistributionError);
    expect(() => populationStability([0.5], [])).toThrow(/current distribution has no scores/);
  });
});
