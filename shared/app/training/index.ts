export {
  buildDataset,
  CHURN_WINDOW_DAYS,
  type CustomerRow,
  type Dataset,
  type DatasetOptions,
  DEFAULT_SIM_START,
  PURCHASE_WINDOW_DAYS,
} from "./dataset.js";
export { type PropensityEvaluation, recencyScore, trainPropensity } from "./evaluate-propensity.js";
export { type RecommenderEvaluation, SEEDS_MAX, TOP_K, trainRecommender } from "./evaluate-recommender.js";
export { isHoldout } from "./holdout.js";
export { type TrainOptions, type TrainResult, trainAll } from "./train.js";
