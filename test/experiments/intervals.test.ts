import { describe, expect, it } from "vitest";
import {
  newcombeInterval,
  StatisticsInputError,
  twoProportionZTest,
  wilsonInterval,
} from "#shared/domain/experiments/index.js";

describe("wilsonInterval", () => {
  // Newcombe RG (1998), "Two-sided confidence intervals for the single proportion: comparison of seven
  // methods", Statistics in Medicine 17:857–872, Table I, method 3 (Wilson score, no continuity correction).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])("%d/%d at 95 %% is [%d, %d] (Newcombe 1998, Table I)", (x, n, lower, upper) => {
    const ci = wilsonInterval(x, n);
    expect(ci.lower).toBeCloseTo(lower, 4);
    expect(ci.upper).toBeCloseTo(upper, 4);
  });

  it("widens with confidence and narrows with trials", () => {
    const w = (c: { lower: number; upper: number }) => c.upper - c.lower;
    expect(w(wilsonInterval(81, 263, 0.99))).toBeGreaterThan(w(wilsonInterval(81, 263, 0.95)));
    expect(w(wilsonInterval(810, 2630))).toBeLessThan(w(wilsonInterval(81, 263)));
  });

  it("is [0, 1] with no trials, ends at 1 when all succeed, and refuses impossible counts", () => {
    expect(wilsonInterval(0, 0)).toEqual({ lower: 0, upper: 1 });
    expect(wilsonInterval(29, 29).upper).toBe(1);
    expect(() => wilsonInterval(5, 3)).toThrow(StatisticsInputError);
    expect(() => wilsonInterval(-1, 3)).toThrow(StatisticsInputError);
    expect(() => wilsonInterval(1.5, 3)).toThrow(StatisticsInputError);
  });
});

describe("newcombeInterval (difference b − a)", () => {
  // Newcombe RG (1998), "Interval estimation for the difference between independent proportions: comparison
  // of eleven methods", Statistics in Medicine 17:873–890, Table II, method 10 (hybrid score). The paper
  // reports p1 − p2; here b is the paper's first sample.
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [6, 7, 2, 7, 0.0582, 0.8062],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
  ])("%d/%d − %d/%d is [%d, %d] (Newcombe 1998, Table II)", (xb, nb, xa, na, lower, upper) => {
    const ci = newcombeInterval({ successes: xa, trials: na }, { successes: xb, trials: nb });
    expect(ci.lower).toBeCloseTo(lower, 4);
    expect(ci.upper).toBeCloseTo(upper, 4);
  });
});

describe("twoProportionZTest", () => {
  // Pooled z² equals Pearson's χ² on the 2×2 table; reference: scipy.stats.chi2_contingency(
  // [[400, 9600], [480, 9520]], correction=False) → χ² = 7.607455306200076, p = 0.005812745777317132, and
  // [[30, 220], [45, 215]] → χ² = 2.862493368700264, p = 0.09066685903846494 (SciPy 1.17.1).
  it("matches SciPy's χ² test for 400/10,000 vs 480/10,000", () => {
    const r = twoProportionZTest({ successes: 400, trials: 10_000 }, { successes: 480, trials: 10_000 });
    expect(r.z * r.z).toBeCloseTo(7.607455306200076, 10);
    expect(r.z).toBeGreaterThan(0);
    expect(r.pValue).toBeCloseTo(0.005812745777317132, 12);
    expect(r.difference).toBeCloseTo(0.008, 15);
    expect(r.interval.lower).toBeGreaterThan(0);
    expect(r.interval.lower).toBeLessThan(r.difference);
    expect(r.interval.upper).toBeGreaterThan(r.difference);
  });

  it("matches SciPy's χ² test for 30/250 vs 45/260, and the sign follows b − a", () => {
    const r = twoProportionZTest({ successes: 45, trials: 260 }, { successes: 30, trials: 250 });
    expect(r.z).toBeCloseTo(-Math.sqrt(2.862493368700264), 10);
    expect(r.pValue).toBeCloseTo(0.09066685903846494, 12);
    expect(r.interval.lower).toBeLessThan(0);
    expect(r.interval.upper).toBeGreaterThan(0);
  });

  it("has p = 1 when there is nothing to compare", () => {
    expect(twoProportionZTest({ successes: 0, trials: 0 }, { successes: 3, trials: 10 }).pValue).toBe(1);
    expect(twoProportionZTest({ successes: 0, trials: 50 }, { successes: 0, trials: 40 }).pValue).toBe(1);
  });
});
