export {
  DRIFT_THRESHOLD,
  EmptyDistributionError,
  histogramStability,
  type PopulationStability,
  PSI_EPSILON,
  populationStability,
  scoreHistogram,
  sumHistograms,
} from "./population-stability.js";
export {
  type RescoreDeps,
  type RescoreOptions,
  type RescoreSummary,
  RescoringError,
  rescoreSlice,
  sumRescoreSummaries,
  type TierCounts,
  withScores,
} from "./rescore-slice.js";
export { HIGH_TIER_FROM, MEDIUM_TIER_FROM, tierOf } from "./tiers.js";
