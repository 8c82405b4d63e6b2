import { FEATURE_VERSION } from "#shared/domain/features/index.js";
import {
  averagePrecision,
  brierScore,
  type CalibrationBin,
  calibration,
  type LogisticArtifact,
  type PropensityModelName,
  predictLogistic,
  rocAuc,
  trainLogistic,
} from "#shared/domain/models/index.js";
import type { CustomerRow, Dataset } from "./dataset.js";

/** Hold-out figures of a propensity model and of the recency-only baseline. */
export interface PropensityEvaluation {
  readonly trainRows: number;
  readonly holdoutRows: number;
  /** Share of positives in the hold-out set. */
  readonly holdoutPositiveRate: number;
  readonly rocAuc: number;
  readonly averagePrecision: number;
  readonly brier: number;
  readonly calibration: readonly CalibrationBin[];
  /** Baseline: score = −days since the last order (customers who never ordered score lowest). */
  readonly baseline: { readonly rocAuc: number; readonly averagePrecision: number };
}

/** Days given to customers who never ordered, for the recency baseline: older than any real order. */
const NEVER_ORDERED_DAYS = 1e6;

/** Recency-only score: the more recent the last order, the higher. */
export function recencyScore(row: CustomerRow): number {
  return -(row.daysSinceLastOrder ?? NEVER_ORDERED_DAYS);
}

const LABELS = { purchase_30d: "purchase", churn_60d: "churn" } as const;

/**
 * Trains a propensity model on the training customers and evaluates it on the hold-out customers. For churn
 * the baseline's score is turned around (long since the last order = likely to churn).
 */
export function trainPropensity(
  dataset: Dataset,
  name: PropensityModelName,
  trainedAt: string,
  l2 = 1,
): LogisticArtifact<PropensityEvaluation> {
  const label = (row: CustomerRow): number => row[LABELS[name]];
  const train = dataset.rows.filter((row) => !row.holdout);
  const holdout = dataset.rows.filter((row) => row.holdout);
  const model = trainLogistic(
    train.map((row) => row.features),
    train.map(label),
    { l2 },
  );
  const labels = holdout.map(label);
  const scores = holdout.map((row) => predictLogistic(model, row.features));
  const sign = name === "churn_60d" ? -1 : 1;
  const baseline = holdout.map((row) => sign * recencyScore(row));
  const evaluation: PropensityEvaluation = {
    trainRows: train.length,
    holdoutRows: holdout.length,
    holdoutPositiveRate: labels.length === 0 ? 0 : labels.reduce((a, b) => a + b, 0) / labels.length,
    rocAuc: rocAuc(scores, labels),
    averagePrecision: averagePrecision(scores, labels),
    brier: brierScore(scores, labels),
    calibration: calibration(scores, labels, 10),
    baseline: { rocAuc: rocAuc(baseline, labels), averagePrecision: averagePrecision(baseline, labels) },
  };
  return {
    kind: "logistic",
    name,
    featureVersion: FEATURE_VERSION,
    featureNames: dataset.featureNames,
    mean: model.mean,
    scale: model.scale,
    weights: model.weights,
    bias: model.bias,
    trainedAt,
    evaluation,
  };
}
