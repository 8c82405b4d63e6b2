import type { CooccurrenceModel } from "./cooccurrence.js";
import type { LogisticModel } from "./logistic.js";

/** Names of the propensity models. */
export type PropensityModelName = "purchase_30d" | "churn_60d";

/** A propensity model as stored and served (JSON); `E` is the shape of its evaluation. */
export interface LogisticArtifact<E = unknown> extends LogisticModel {
  readonly kind: "logistic";
  readonly name: PropensityModelName;
  readonly featureVersion: number;
  readonly featureNames: readonly string[];
  /** ISO 8601. */
  readonly trainedAt: string;
  readonly evaluation: E;
}

/** An item-item recommender as stored and served (JSON); `E` is the shape of its evaluation. */
export interface RecommenderArtifact<E = unknown> extends CooccurrenceModel {
  readonly kind: "item-cooccurrence";
  readonly version: 1;
  /** ISO 8601. */
  readonly trainedAt: string;
  readonly evaluation: E;
}
