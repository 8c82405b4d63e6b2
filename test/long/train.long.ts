import { beforeAll, describe, expect, it } from "vitest";
import { type TrainResult, trainAll } from "#shared/app/training/index.js";
import { FEATURE_NAMES } from "#shared/domain/features/index.js";
import { type CalibrationBin, predictLogistic } from "#shared/domain/models/index.js";
import { simulatedHistory, simulatorCatalogProducts } from "#shared/sim/index.js";

/**
 * Seeded hold-out evaluation on 600 simulated customers × 90 days (cutoff at day 30). Figures measured with
 * seed 1 (and, for context, seeds 2 and 3): purchase ROC-AUC 0.817 vs 0.650 for recency only (0.865 vs 0.763,
 * 0.800 vs 0.726); churn 0.974 vs 0.799 (0.950 vs 0.785, 0.951 vs 0.794). The recommender, through the email
 * rules (docs/recommendations.md), with seed 1: precision@10 0.134 vs 0.098 for popularity, catalog coverage 0.80
 * vs 0.07, distinct lists 0.90 vs 0.11 (seeds 2 and 3 in the docs). The margins asserted sit below the smallest seen.
 */
let result: TrainResult;
beforeAll(() => {
  result = trainAll({
    ...simulatedHistory({ seed: 1, customers: 600, days: 90 }),
    catalog: simulatorCatalogProducts(1),
    trainedAt: "2026-04-01T00:00:00.000Z",
  });
}, 120_000);

/** Expected calibration error: |mean predicted − observed| weighted by the share of rows in each bin. */
function calibrationError(bins: readonly CalibrationBin[]): number {
  const total = bins.reduce((sum, bin) => sum + bin.count, 0);
  return bins.reduce(
    (sum, bin) =>
      bin.count === 0 ? sum : sum + (bin.count / total) * Math.abs(bin.meanPredicted - bin.observed),
    0,
  );
}

describe("trainAll on the simulator (hold-out customers)", () => {
  it("has enough hold-out customers of both classes to mean something", () => {
    const { purchase } = result.evaluation;
    expect(purchase.holdoutRows).toBeGreaterThan(150);
    expect(purchase.holdoutPositiveRate).toBeGreaterThan(0.1);
    expect(purchase.holdoutPositiveRate).toBeLessThan(0.9);
    expect(result.evaluation.churn.holdoutPositiveRate).toBeGreaterThan(0.05);
  });

  it("the purchase model beats recency only on ROC-AUC and average precision", () => {
    const { purchase } = result.evaluation;
    expect(purchase.rocAuc).toBeGreaterThan(purchase.baseline.rocAuc + 0.05);
    expect(purchase.rocAuc).toBeGreaterThan(0.75);
    expect(purchase.averagePrecision).toBeGreaterThan(purchase.baseline.averagePrecision);
  });

  it("the churn model beats recency only on ROC-AUC", () => {
    const { churn } = result.evaluation;
    expect(churn.rocAuc).toBeGreaterThan(churn.baseline.rocAuc + 0.1);
  });

  it("the propensity models are roughly calibrated on the hold-out set", () => {
    expect(calibrationError(result.evaluation.purchase.calibration)).toBeLessThan(0.1);
    expect(calibrationError(result.evaluation.churn.calibration)).toBeLessThan(0.1);
  });

  it("the recommender beats popularity on precision@10 and recall@10", () => {
    const { recommender } = result.evaluation;
    expect(recommender.customers).toBeGreaterThan(100);
    expect(recommender.precisionAt10).toBeGreaterThan(recommender.baseline.precisionAt10 * 1.05);
    expect(recommender.recallAt10).toBeGreaterThan(recommender.baseline.recallAt10);
  });

  it("the recommender covers much more of the catalog than popularity, with lists that differ by customer", () => {
    const { recommender } = result.evaluation;
    expect(recommender.listed).toBeGreaterThan(recommender.customers);
    expect(recommender.products).toBe(simulatorCatalogProducts(1).filter((p) => p.inStock).length);
    expect(recommender.coverage).toBeGreaterThan(recommender.baseline.coverage * 3);
    expect(recommender.distinctLists).toBeGreaterThan(0.8);
    expect(recommender.distinctLists).toBeGreaterThan(recommender.baseline.distinctLists * 3);
  });

  it("writes artifacts in the shared format that survive JSON and score like the trained model", () => {
    const { purchase, recommender } = result.artifacts;
    const stored = JSON.parse(JSON.stringify(purchase));
    expect(stored).toMatchObject({
      kind: "logistic",
      name: "purchase_30d",
      featureVersion: 1,
      featureNames: FEATURE_NAMES,
      trainedAt: "2026-04-01T00:00:00.000Z",
    });
    for (const key of ["mean", "scale", "weights"] as const)
      expect(stored[key]).toHaveLength(FEATURE_NAMES.length);
    const x = FEATURE_NAMES.map((_, i) => i % 3);
    expect(predictLogistic(stored, x)).toBeCloseTo(predictLogistic(purchase, x), 12);
    expect(result.artifacts.churn.name).toBe("churn_60d");
    expect(recommender.kind).toBe("item-cooccurrence");
    expect(recommender.version).toBe(1);
    expect(recommender.popular.length).toBeGreaterThan(10);
    const [first] = Object.values(recommender.neighbours);
    expect(first?.[0]?.[1]).toBeGreaterThan(0);
  });
});
