import type { LogisticArtifact, RecommenderArtifact } from "#shared/domain/models/index.js";
import type { CatalogProduct } from "#shared/ports.js";
import { buildDataset, type DatasetOptions } from "./dataset.js";
import { type PropensityEvaluation, trainPropensity } from "./evaluate-propensity.js";
import { type RecommenderEvaluation, trainRecommender } from "./evaluate-recommender.js";

/** What {@link trainAll} trains on. */
export interface TrainOptions extends DatasetOptions {
  /** Stamped on the artifacts (ISO 8601). @default the current time */
  readonly trainedAt?: string;
  /** The shop's catalog, for the recommender's evaluation (stock, categories, replenishment). @default none */
  readonly catalog?: readonly CatalogProduct[];
}

/** The trained models and their hold-out evaluation. */
export interface TrainResult {
  readonly artifacts: {
    readonly purchase: LogisticArtifact<PropensityEvaluation>;
    readonly churn: LogisticArtifact<PropensityEvaluation>;
    readonly recommender: RecommenderArtifact<RecommenderEvaluation>;
  };
  readonly evaluation: {
    /** The cutoff T (ISO 8601); features are as of T, labels from after T. */
    readonly cutoff: string;
    readonly customers: number;
    readonly purchase: PropensityEvaluation;
    readonly churn: PropensityEvaluation;
    readonly recommender: RecommenderEvaluation;
  };
}

/**
 * Trains the purchase-in-30-days and churn-in-60-days models and the item-item recommender on the
 * shop's history it is given (the simulator's, locally), and evaluates each on held-out customers against its baseline.
 */
export function trainAll(options: TrainOptions): TrainResult {
  const trainedAt = options.trainedAt ?? new Date().toISOString();
  const dataset = buildDataset(options);
  const purchase = trainPropensity(dataset, "purchase_30d", trainedAt);
  const churn = trainPropensity(dataset, "churn_60d", trainedAt);
  const recommender = trainRecommender(
    dataset,
    trainedAt,
    options.catalog === undefined ? {} : { catalog: options.catalog },
  );
  return {
    artifacts: { purchase, churn, recommender },
    evaluation: {
      cutoff: new Date(dataset.cutoff).toISOString(),
      customers: dataset.rows.length,
      purchase: purchase.evaluation,
      churn: churn.evaluation,
      recommender: recommender.evaluation,
    },
  };
}
