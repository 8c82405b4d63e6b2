import { describe, expect, it } from "vitest";
import {
  betaDraw,
  StatisticsInputError,
  seededRandom,
  thompsonWeights,
} from "#shared/domain/experiments/index.js";

describe("betaDraw", () => {
  it("has the Beta mean and variance (20,000 draws of Beta(3, 7): mean 0.3, variance 0.0191)", () => {
    const random = seededRandom(42);
    const draws = Array.from({ length: 20_000 }, () => betaDraw(3, 7, random));
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length;
    // Var = αβ / ((α+β)² (α+β+1)) = 21 / 1100; standard error of the mean ≈ 0.001.
    expect(mean).toBeCloseTo(0.3, 2);
    expect(variance).toBeCloseTo(21 / 1100, 3);
  });
});

describe("thompsonWeights", () => {
  it("sends most traffic to a clear winner and splits evenly between equals", () => {
    const random = seededRandom(1);
    const clear = thompsonWeights(
      [
        { successes: 50, trials: 1000 },
        { successes: 90, trials: 1000 },
      ],
      4000,
      random,
    );
    expect(clear[1]).toBeGreaterThan(0.99);
    expect((clear[0] ?? 0) + (clear[1] ?? 0)).toBeCloseTo(1, 12);
    const even = thompsonWeights(
      [
        { successes: 50, trials: 1000 },
        { successes: 50, trials: 1000 },
        { successes: 50, trials: 1000 },
      ],
      6000,
      random,
    );
    for (const w of even) expect(Math.abs(w - 1 / 3)).toBeLessThan(3 * Math.sqrt(((1 / 3) * (2 / 3)) / 6000));
  });

  it("is reproducible for a seed and refuses empty input", () => {
    const arms = [
      { successes: 5, trials: 40 },
      { successes: 8, trials: 40 },
    ];
    expect(thompsonWeights(arms, 500, seededRandom(9))).toEqual(thompsonWeights(arms, 500, seededRandom(9)));
    expect(() => thompsonWeights([], 10, seededRandom(1))).toThrow(StatisticsInputError);
    expect(() => thompsonWeights(arms, 0, seededRandom(1))).toThrow(StatisticsInputError);
  });
});
