export type { LogisticArtifact, PropensityModelName, RecommenderArtifact } from "./artifacts.js";
export {
  type CooccurrenceModel,
  type CooccurrenceOptions,
  popularItems,
  type RecommendInput,
  recommendItems,
  trainCooccurrence,
} from "./cooccurrence.js";
export {
  type LogisticModel,
  type LogisticOptions,
  predictLogistic,
  sigmoid,
  TrainingInputError,
  trainLogistic,
} from "./logistic.js";
export {
  averagePrecision,
  brierScore,
  type CalibrationBin,
  calibration,
  precisionRecallAtK,
  type RankingScore,
  rocAuc,
} from "./metrics.js";
