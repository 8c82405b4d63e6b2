import { describe, expect, it } from "vitest";
import { requiredSampleSize, verdict } from "#shared/domain/experiments/index.js";

// Interval figures are Newcombe's hybrid score interval recomputed independently in Python with SciPy 1.17.1
// norm.ppf: 480 vs 400 of 10,000 → [0.23, 1.37] pts; at 90 % reversed → [−1.28, −0.32]; 2,010 vs 2,000 of
// 10,000 → [−1.01, 1.21].
const arm = (name: string, successes: number, trials: number) => ({ name, successes, trials });

describe("verdict", () => {
  it("names the winner with the difference in points and the 95 % interval", () => {
    const v = verdict({
      metric: "clicks",
      control: arm("A", 400, 10_000),
      treatment: arm("B", 480, 10_000),
      minimumDetectableEffect: 0.01,
    });
    expect(v.outcome).toBe("better");
    expect(v.test).toBe("fixed-horizon");
    expect(v.text).toMatch(/^B beats A on clicks, \+0\.8 pts, 95 % CI \[0\.2, 1\.4\]$/);
    expect(v.interval.lower).toBeGreaterThan(0);
  });

  it("says when the treatment is worse, with negative figures", () => {
    const v = verdict({
      metric: "conversions",
      control: arm("A", 480, 10_000),
      treatment: arm("C", 400, 10_000),
      minimumDetectableEffect: 0.01,
      confidence: 0.9,
    });
    expect(v.outcome).toBe("worse");
    expect(v.text).toMatch(/^C trails A on conversions, −0\.8 pts, 90 % CI \[−1\.3, −0\.3\]$/);
  });

  it("asks for more data, rounded up, when the sample is short of the planned size", () => {
    const control = arm("A", 40, 1000);
    const v = verdict({
      metric: "clicks",
      control,
      treatment: arm("B", 45, 1000),
      minimumDetectableEffect: 0.01,
    });
    const missing = requiredSampleSize(0.04, 0.01) - 1000;
    expect(v.outcome).toBe("needs-data");
    expect(v.moreTrialsPerArm).toBe(missing);
    const shown = Number(/about ([\d,]+) more sends per arm needed/.exec(v.text)?.[1]?.replaceAll(",", ""));
    expect(shown).toBeGreaterThanOrEqual(missing);
    expect(shown).toBeLessThan(missing * 1.1);
    expect(v.text).toMatch(/^not enough data yet: about \d{1,3}(,\d{3})* more sends per arm needed$/);
  });

  it("says no difference once the planned sample is reached without one", () => {
    const v = verdict({
      metric: "opens",
      control: arm("A", 2000, 10_000),
      treatment: arm("B", 2010, 10_000),
      minimumDetectableEffect: 0.02,
    });
    expect(v.outcome).toBe("no-difference");
    expect(v.text).toMatch(/^no difference detected on opens: \+0\.1 pts, 95 % CI \[−1\.0, 1\.2\]$/);
  });

  it("with a sequential test, is more cautious than the fixed horizon and carries its state", () => {
    const fixed = verdict({
      metric: "clicks",
      control: arm("A", 400, 10_000),
      treatment: arm("B", 480, 10_000),
      minimumDetectableEffect: 0.01,
    });
    const cautious = verdict({
      metric: "clicks",
      control: arm("A", 400, 10_000),
      treatment: arm("B", 480, 10_000),
      minimumDetectableEffect: 0.01,
      sequential: {},
    });
    expect(fixed.outcome).toBe("better");
    expect(cautious.outcome).toBe("no-difference");
    expect(cautious.text).toContain("always-valid 95 % CI");

    const input = {
      metric: "clicks",
      control: arm("A", 400, 10_000),
      treatment: arm("B", 480, 10_000),
      minimumDetectableEffect: 0.01,
    };
    const first = verdict({
      ...input,
      control: arm("A", 200, 5000),
      treatment: arm("B", 240, 5000),
      sequential: {},
    });
    expect(first.test).toBe("sequential");
    expect(first.outcome).toBe("needs-data");
    expect(first.state?.pValue).toBeGreaterThan(0.05);
    const later = verdict({
      ...input,
      control: arm("A", 800, 20_000),
      treatment: arm("B", 960, 20_000),
      sequential: first.state === undefined ? {} : { state: first.state },
    });
    expect(later.outcome).toBe("better");
    expect(later.text).toMatch(/^B beats A on clicks, \+0\.8 pts, always-valid 95 % CI \[\d\.\d, \d\.\d\]$/);
  });
});
