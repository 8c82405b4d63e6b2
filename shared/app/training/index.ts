export {
  buildDataset,
  CHURN_WINDOW_DAYS,
  type CustomerRow,
  type Dataset,
  type DatasetOptions,
  type HistoryRecord,
  PURCHASE_WINDOW_DAYS,
} from "./dataset.js";
export { type PropensityEvaluation, recencyScore, trainPropensity } from "./evaluate-propensity.js";
export {
  type RecommenderEvaluation,
  type RecommenderFigures,
  type RecommenderTrainOptions,
  TOP_K,
  trainRecommender,
} from "./evaluate-recommender.js";
export { isHoldout } from "./holdout.js";
export { type TrainOptions, type TrainResult, trainAll } from "./train.js";
