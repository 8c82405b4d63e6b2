import { describe, expect, it } from "vitest";
import { MSPRT_START, msprt, msprtPath, StatisticsInputError } from "#shared/domain/experiments/index.js";

describe("msprt", () => {
  // Λ = √(s²/(s²+τ²)) · exp(τ²θ̂²/(2s²(s²+τ²))), s² the pooled variance (Johari et al. 2022, normal
  // mixture), evaluated independently in Python (math module): 400/10,000 vs 480/10,000, τ 0.01 →
  // 9.304178971797892; 30/250 vs 45/260, τ 0.02 → 1.2751664633184734; 500/10,000 each, τ 0.01 →
  // 0.29454709448164634.
  it.each([
    [400, 10_000, 480, 10_000, 0.01, 9.304178971797892],
    [30, 250, 45, 260, 0.02, 1.2751664633184734],
    [500, 10_000, 500, 10_000, 0.01, 0.29454709448164634],
  ])("Λ for %d/%d vs %d/%d with τ %d", (xa, na, xb, nb, tau, expected) => {
    const r = msprt({ successes: xa, trials: na }, { successes: xb, trials: nb }, { tau });
    expect(r.statistic).toBeCloseTo(expected, 10);
    expect(r.pValue).toBeCloseTo(Math.min(1, 1 / expected), 12);
  });

  it("is harder to convince than the fixed-horizon test: p 0.006 for the z-test is not yet a rejection", () => {
    const r = msprt({ successes: 400, trials: 10_000 }, { successes: 480, trials: 10_000 }, { tau: 0.01 });
    expect(r.reject).toBe(false);
    expect(r.interval.lower).toBeLessThan(0);
    const more = msprt({ successes: 800, trials: 20_000 }, { successes: 960, trials: 20_000 }, { tau: 0.01 });
    expect(more.reject).toBe(true);
    expect(more.interval.lower).toBeGreaterThan(0);
  });

  it("keeps the p-value monotone and a rejection final across looks", () => {
    const looks = [
      { a: { successes: 40, trials: 1000 }, b: { successes: 80, trials: 1000 } },
      { a: { successes: 90, trials: 2000 }, b: { successes: 130, trials: 2000 } },
      { a: { successes: 150, trials: 3000 }, b: { successes: 150, trials: 3000 } },
    ];
    const path = msprtPath(looks, { tau: 0.02 });
    expect(path[0]?.reject).toBe(true);
    expect(path[2]?.statistic).toBeLessThan(1);
    expect(path[2]?.reject).toBe(true);
    const pValues = path.map((r) => r.pValue);
    expect(pValues).toEqual([...pValues].sort((x, y) => y - x));
    // Without the state the last look alone would not reject.
    const last = looks[2];
    if (last === undefined) throw new Error("fixture");
    expect(msprt(last.a, last.b, { tau: 0.02 }).reject).toBe(false);
    // The intersected interval never widens.
    for (let i = 1; i < path.length; i++) {
      expect(path[i]?.interval.lower ?? 0).toBeGreaterThanOrEqual(path[i - 1]?.interval.lower ?? 0);
      expect(path[i]?.interval.upper ?? 0).toBeLessThanOrEqual(path[i - 1]?.interval.upper ?? 0);
    }
  });

  it("gives no evidence before both arms have trials, and refuses bad settings", () => {
    const r = msprt({ successes: 0, trials: 0 }, { successes: 5, trials: 10 }, { tau: 0.01 });
    expect(r.statistic).toBe(1);
    expect(r.pValue).toBe(1);
    expect(r.interval).toEqual(MSPRT_START.interval);
    expect(() => msprt({ successes: 1, trials: 2 }, { successes: 1, trials: 2 }, { tau: 0 })).toThrow(
      StatisticsInputError,
    );
    expect(() =>
      msprt({ successes: 1, trials: 2 }, { successes: 1, trials: 2 }, { tau: 0.1, alpha: 2 }),
    ).toThrow(StatisticsInputError);
  });
});
