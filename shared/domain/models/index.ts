export type { LogisticArtifact, PropensityModelName, RecommenderArtifact } from "./artifacts.js";
export {
  CATEGORY_WEIGHT,
  type CooccurrenceModel,
  type CooccurrenceOptions,
  DEFAULT_DAMPING,
  popularItems,
  type RecommendInput,
  recommendItems,
  trainCooccurrence,
  type WeightedSeed,
} from "./cooccurrence.js";
export {
  checkTrainingInput,
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
  type ListReport,
  listReport,
  precisionRecallAtK,
  type RankingScore,
  rocAuc,
  type ScoredList,
} from "./metrics.js";
export {
  type CategoryAffinity,
  type PersonalSignals,
  personalSignals,
  SEEDS_MAX,
  type Seed,
  SIGNAL_HALF_LIFE_DAYS,
  SIGNAL_WEIGHTS,
  type SignalKind,
  VIEW_RANK_DECAY,
} from "./seeds.js";
