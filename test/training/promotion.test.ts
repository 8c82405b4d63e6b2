import { describe, expect, it } from "vitest";
import { decidePromotion } from "#shared/domain/models/promotion.js";

const figures = (value: number, brier: number, baseline = 0.7) => ({
  metric: "rocAuc" as const,
  value,
  baseline,
  brier,
});

describe("decidePromotion", () => {
  it("promotes a first model that beats the baseline, and refuses one that does not", () => {
    expect(decidePromotion(figures(0.8, 0.1), undefined).promoted).toBe(true);
    const refused = decidePromotion(figures(0.69, 0.1), undefined);
    expect(refused.promoted).toBe(false);
    expect(refused.reason).toMatch(/does not beat the baseline/);
  });

  it("refuses a candidate worse than the model in service beyond the tolerance, on ROC-AUC or on Brier", () => {
    const served = { version: "v1", ...figures(0.85, 0.1) };
    expect(decidePromotion(figures(0.845, 0.1), served).promoted).toBe(true);
    const worse = decidePromotion(figures(0.83, 0.1), served);
    expect(worse).toMatchObject({ promoted: false, against: "v1" });
    expect(worse.reason).toMatch(/worse than 0.8500 of v1/);
    const miscalibrated = decidePromotion(figures(0.86, 0.12), served);
    expect(miscalibrated.promoted).toBe(false);
    expect(miscalibrated.reason).toMatch(/Brier/);
  });

  it("refuses when the hold-out could not measure the metric", () => {
    expect(decidePromotion(figures(Number.NaN, 0.1), undefined).promoted).toBe(false);
  });
});
