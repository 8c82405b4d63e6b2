import {
  popularItems,
  precisionRecallAtK,
  type RecommenderArtifact,
  recommendItems,
  trainCooccurrence,
} from "#shared/domain/models/index.js";
import type { Dataset } from "./dataset.js";

/** Recommendations scored per customer. */
export const TOP_K = 10;
/** Most recent products used as the seeds of a customer's recommendations. */
export const SEEDS_MAX = 20;

/** Hold-out figures of the recommender and of the popularity baseline. */
export interface RecommenderEvaluation {
  /** Hold-out customers who bought something new after the cutoff (the ones scored). */
  readonly customers: number;
  readonly precisionAt10: number;
  readonly recallAt10: number;
  readonly baseline: { readonly precisionAt10: number; readonly recallAt10: number };
}

/**
 * Trains the item-item recommender on what the training customers viewed, carted and bought before the
 * cutoff (best sellers from their orders), and scores it on the hold-out customers: their products bought
 * after the cutoff that they had not bought before, against the top 10 recommended from their activity before
 * the cutoff, excluding what they had bought. The popularity baseline gets the same exclusions.
 */
export function trainRecommender(
  dataset: Dataset,
  trainedAt: string,
): RecommenderArtifact<RecommenderEvaluation> {
  const train = dataset.rows.filter((row) => !row.holdout);
  const model = trainCooccurrence(
    train.map((row) => row.seenBefore),
    { popularFrom: train.map((row) => row.boughtBefore) },
  );
  let customers = 0;
  const sums = { precision: 0, recall: 0, basePrecision: 0, baseRecall: 0 };
  for (const row of dataset.rows) {
    if (!row.holdout) continue;
    const exclude = new Set(row.boughtBefore);
    const relevant = new Set(row.boughtAfter.filter((id) => !exclude.has(id)));
    if (relevant.size === 0) continue;
    customers++;
    const input = { seeds: row.seenBefore.slice(0, SEEDS_MAX), exclude };
    const ours = precisionRecallAtK(
      recommendItems(model, input, TOP_K).map(([id]) => id),
      relevant,
      TOP_K,
    );
    const base = precisionRecallAtK(popularItems(model, input, TOP_K), relevant, TOP_K);
    sums.precision += ours.precision;
    sums.recall += ours.recall;
    sums.basePrecision += base.precision;
    sums.baseRecall += base.recall;
  }
  const mean = (sum: number) => (customers === 0 ? Number.NaN : sum / customers);
  return {
    kind: "item-cooccurrence",
    version: 1,
    neighbours: model.neighbours,
    popular: model.popular,
    trainedAt,
    evaluation: {
      customers,
      precisionAt10: mean(sums.precision),
      recallAt10: mean(sums.recall),
      baseline: { precisionAt10: mean(sums.basePrecision), recallAt10: mean(sums.baseRecall) },
    },
  };
}
