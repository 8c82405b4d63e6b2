import { describe, expect, it } from "vitest";
import {
  erf,
  erfc,
  normalCdf,
  normalQuantile,
  StatisticsInputError,
} from "#shared/domain/experiments/index.js";

// Reference values from SciPy 1.17.1 (`scipy.special.erf`, `scipy.special.erfc`, `scipy.stats.norm.cdf`,
// `scipy.stats.norm.ppf`), printed with repr(); the quantiles also agree with Abramowitz & Stegun Table 26.5.
const relative = (actual: number, expected: number) => Math.abs(actual - expected) / Math.abs(expected);

describe("erf and erfc", () => {
  it.each([
    [0.5, 0.5204998778130465],
    [1, 0.8427007929497149],
    [2, 0.9953222650189527],
    [-1, -0.8427007929497149],
  ])("erf(%d) matches SciPy to 1e-15", (x, expected) => {
    expect(relative(erf(x), expected)).toBeLessThan(1e-15);
  });

  it.each([
    [1, 0.15729920705028513],
    [3, 2.209049699858544e-5],
    [5, 1.5374597944280349e-12],
    [10, 2.088487583762545e-45],
  ])("erfc(%d) keeps relative precision in the tail (SciPy, 1e-14)", (x, expected) => {
    expect(relative(erfc(x), expected)).toBeLessThan(1e-14);
  });

  it("erf is odd and erf + erfc = 1", () => {
    for (let x = -5; x <= 5; x += 0.37) {
      expect(erf(-x)).toBeCloseTo(-erf(x), 15);
      expect(erf(x) + erfc(x)).toBeCloseTo(1, 15);
    }
  });
});

describe("normalCdf", () => {
  it.each([
    [1.96, 0.9750021048517795],
    [-3, 0.0013498980316301035],
    [-10, 7.619853024160527e-24],
    [0, 0.5],
  ])("Φ(%d) matches SciPy to 1e-13 relative", (z, expected) => {
    expect(relative(normalCdf(z), expected)).toBeLessThan(1e-13);
  });
});

describe("normalQuantile", () => {
  it.each([
    [0.975, 1.959963984540054],
    [0.95, 1.6448536269514722],
    [0.8, 0.8416212335729143],
    [0.999, 3.090232306167813],
    [0.01, -2.3263478740408408],
    [1e-10, -6.361340902404056],
    [1e-300, -37.0470962993612],
  ])("Φ⁻¹(%d) matches SciPy to 1e-14 relative", (p, expected) => {
    expect(relative(normalQuantile(p), expected)).toBeLessThan(1e-14);
  });

  it("inverts normalCdf and is exactly 0 at one half", () => {
    expect(normalQuantile(0.5)).toBe(0);
    // Above z ≈ 3 a double near 1 cannot hold Φ(z) precisely enough for 10 digits; the lower tail can.
    for (let z = -8; z <= 3; z += 0.25) {
      expect(normalQuantile(normalCdf(z))).toBeCloseTo(z, 10);
    }
  });

  it("is infinite at 0 and 1 and refuses values outside [0, 1]", () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(() => normalQuantile(1.5)).toThrow(StatisticsInputError);
    expect(() => normalQuantile(Number.NaN)).toThrow(StatisticsInputError);
  });
});
