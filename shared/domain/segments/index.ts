/**
 * Segments: the definition language (checked by a zod schema), the library (dependency order, no cycles), the
 * pure evaluator (membership, reason, next change by time), RFM scoring and the explanation text. The language
 * is documented in `shared/domain/segments/README.md`.
 */
export { ageAt } from "./age.js";
export type * from "./contracts.js";
export * from "./definition.js";
export {
  CONDITION_KEYS,
  type DefinitionIssue,
  eventRefOf,
  MAX_CHILDREN,
  MAX_RULE_DEPTH,
  parseSegmentDefinition,
  ruleDepth,
} from "./definition-schema.js";
export { describeCondition } from "./describe.js";
export { HOURLY_WINDOW_MAX_HOURS, parseDuration, WINDOW_MAX_DAYS, windowOf } from "./duration.js";
export { evaluateAll, evaluateSegment, SegmentEvaluationError } from "./evaluate.js";
export { explainText } from "./explain.js";
export {
  buildLibrary,
  type LibraryProblem,
  type SegmentLibrary,
  SegmentLibraryError,
  segmentReferences,
} from "./library.js";
export {
  DEFAULT_RFM_MONETARY_BASIS,
  inCohort,
  RFM_COHORTS,
  RFM_MONETARY_BASES,
  rfmNextChangeAt,
  rfmSample,
  rfmScores,
  rfmThresholds,
} from "./rfm.js";
