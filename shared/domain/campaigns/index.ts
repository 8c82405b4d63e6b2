/**
 * Campaigns: the definition language (checked by a zod schema), the library (references to templates and
 * segments), triggers (the send intents events, transitions and schedules create), exit conditions, the send
 * policy decided at send time, and deterministic variant assignment. Pure: time is a parameter. Documented in
 * `shared/domain/campaigns/README.md`.
 */
export { type Assignment, assign, unitHash } from "./assignment.js";
export {
  type CatalogFacts,
  catalogExit,
  catalogOccurrence,
  customerCurrency,
  dropIsEnough,
  intentsForCatalogChange,
  lastBoughtAt,
  type ProductNow,
  type WatcherVerdict,
  watchedKinds,
} from "./catalog-journeys.js";
export type * from "./contracts.js";
export * from "./definition.js";
export {
  CAMPAIGN_DURATION_MAX_DAYS,
  type CampaignIssue,
  campaignDefinitionSchema,
  checkCampaignDefinition,
  MAX_STEPS,
  MAX_VARIANTS,
  SEND_TIME_WITHIN_MAX_DAYS,
} from "./definition-schema.js";
export { eventProperties, matchesWhere } from "./event-properties.js";
export { exited } from "./exit.js";
export {
  describeFatigue,
  FATIGUE_FATIGUED,
  FATIGUE_MIN_SENDS_FOR_TREND,
  FATIGUE_SKIP_BELOW_PRIORITY_DEFAULT,
  FATIGUE_STREAK_FULL,
  FATIGUE_TIRED,
  type Fatigue,
  type FatigueInputs,
  type FatigueLevel,
  fatigueCap,
  fatiguedReason,
  fatigueInputs,
  fatigueLevel,
  fatigueOf,
  fatigueScore,
} from "./fatigue.js";
export { cappedReason, durationInWords, sentInWindow } from "./frequency-cap.js";
export { journeyIntents, sendKey } from "./journey.js";
export {
  buildCampaignLibrary,
  type CampaignLibrary,
  CampaignLibraryError,
  type CampaignLibraryProblem,
  type CampaignReferences,
  type SendContent,
  sendContent,
  type TemplateCatalog,
  variantsOf,
} from "./library.js";
export {
  addOpenHours,
  chooseOpenHourPrior,
  describeOpenHourPrior,
  emptyOpenHourTotals,
  type LearnedOpenHourPrior,
  learnedOpenHourPriorSchema,
  learnOpenHourPrior,
  MIN_LEARNED_PRIOR_OPENS,
  mergeOpenHourTotals,
  type OpenHourPriorChoice,
  type OpenHourTotals,
  openHourTotalsSchema,
} from "./open-hour-prior.js";
export { byPriority, customerTimeZone, type DecideOptions, decideSend } from "./policy.js";
export { isQuietMinute, quietUntil } from "./quiet-hours.js";
export {
  type BestTime,
  bestSendTime,
  bestTimeReason,
  DEFAULT_OPEN_HOUR_PRIOR,
  normalisePrior,
  OPEN_HOUR_PRIOR_WEIGHT,
  type OpenHourPrior,
  openHourPosterior,
  openHoursBasis,
} from "./send-time.js";
export { formatMinuteOfDay, isTimeZone, type LocalTime, localTimeAt } from "./time-zone.js";
export {
  intentsForEvents,
  intentsForSchedule,
  intentsForTransition,
  ONCE_OCCURRENCE,
  TRIGGER_MAX_AGE_MS,
} from "./triggers.js";
export {
  nextWaitCheck,
  WAIT_DEFAULT_MS,
  WAIT_FIRST_CHECK_MS,
  WAIT_MAX_CHECK_GAP_MS,
  WAIT_MAX_DAYS,
  waitDeadline,
} from "./wait.js";
