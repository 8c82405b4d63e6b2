/**
 * The tag that names a stateful resource (or a function) for the local stack. The local stack reads the
 * synthesised template and creates each tagged resource under this friendly name, so the cloud and the
 * local stack are built from the same declaration.
 */
export const LOCAL_NAME_TAG = "tailor:local-name";

/**
 * The template metadata key of each function's handler entry file, relative to the repository root
 * (`functions/ingest/handler.ts`): the local stack loads the handler from it, so a new function needs no local
 * registration.
 */
export const ENTRY_METADATA = "tailor:entry";

/** The friendly names the local stack gives the resources this app declares. */
export const LOCAL_NAMES = {
  eventStream: "tailor-events",
  profileTable: "tailor-profiles",
  quarantineBucket: "tailor-quarantine",
  ingestDeadLetterQueue: "tailor-ingest-dlq",
  ingestFunction: "tailor-ingest",
  timersTable: "tailor-timers",
  segmentsTable: "tailor-segments",
  transitionsQueue: "tailor-segment-transitions",
  transitionsDeadLetterQueue: "tailor-segment-transitions-dlq",
  segmentTimersFunction: "tailor-segment-timers",
  segmentTimersSchedule: "tailor-segment-timers-schedule",
  segmentTimersScheduleDeadLetterQueue: "tailor-segment-timers-schedule-dlq",
  sendsQueue: "tailor-sends",
  sendsDeadLetterQueue: "tailor-sends-dlq",
  sendLedgerTable: "tailor-send-ledger",
  linkSecret: "tailor-link-secret",
  dispatchFunction: "tailor-dispatch",
  apiFunction: "tailor-api",
  sesFeedbackFunction: "tailor-ses-feedback",
  sesFeedbackRule: "tailor-ses-feedback-rule",
  sesFeedbackDeadLetterQueue: "tailor-ses-feedback-dlq",
  campaignTransitionsFunction: "tailor-campaign-transitions",
  fanOutStateMachine: "tailor-fanout",
  fanOutPlanFunction: "tailor-fanout-plan",
  fanOutPartFunction: "tailor-fanout-part",
  fanOutFinishFunction: "tailor-fanout-finish",
  campaignScheduleDeadLetterQueue: "tailor-campaign-schedule-dlq",
  auditTable: "tailor-audit",
  writeKeysTable: "tailor-write-keys",
  contentTable: "tailor-content",
  rescoreStateMachine: "tailor-rescore",
  rescorePlanFunction: "tailor-rescore-plan",
  rescoreClusterFunction: "tailor-rescore-cluster",
  rescoreSliceFunction: "tailor-rescore-slice",
  rescoreFinishFunction: "tailor-rescore-finish",
  rescoreSchedule: "tailor-rescore-schedule",
  rescoreScheduleDeadLetterQueue: "tailor-rescore-schedule-dlq",
  segmentJobsStateMachine: "tailor-segment-jobs",
  segmentJobsPlanFunction: "tailor-segment-jobs-plan",
  segmentJobsStepFunction: "tailor-segment-jobs-step",
  segmentJobsFinishFunction: "tailor-segment-jobs-finish",
  segmentJobsAfterRescoring: "tailor-segment-jobs-after-rescoring",
  segmentJobsDeadLetterQueue: "tailor-segment-jobs-start-dlq",
  archiveBucket: "tailor-archive",
  archiveDeliveryStream: "tailor-archive",
  archiveFunction: "tailor-archive-transform",
  catalogTable: "tailor-catalog",
  catalogChangesQueue: "tailor-catalog-changes",
  catalogChangesDeadLetterQueue: "tailor-catalog-changes-dlq",
  catalogFeedBucket: "tailor-catalog-feeds",
  catalogImportFunction: "tailor-catalog-import",
  catalogImportFailuresQueue: "tailor-catalog-import-failures",
  contentImportFunction: "tailor-content-import",
  watchesTable: "tailor-watches",
  catalogChangesFunction: "tailor-catalog-changes",
  modelBucket: "tailor-models",
  modelTrainingStateMachine: "tailor-model-training",
  modelTrainingFunction: "tailor-model-training",
  modelTrainingSchedule: "tailor-model-training-schedule",
  modelTrainingOnDrift: "tailor-model-training-on-drift",
  modelTrainingDeadLetterQueue: "tailor-model-training-start-dlq",
} as const;

/** The local name of the schedule rule of the scheduled campaign `campaignId`. */
export type CampaignRuleLocalName = `tailor-campaign-${string}`;

/** The local name of the schedule rule of the scheduled campaign `campaignId`: `tailor-campaign-<id>`. */
export function campaignRuleLocalName(campaignId: string): CampaignRuleLocalName {
  return `tailor-campaign-${campaignId}`;
}

/** One of the friendly names above, or a scheduled campaign's rule. */
export type LocalName =
  | (typeof LOCAL_NAMES)[keyof typeof LOCAL_NAMES]
  | (typeof SMS_LOCAL_NAMES)[keyof typeof SMS_LOCAL_NAMES]
  | CampaignRuleLocalName;

/** The local names of the SMS resources, declared only with `-c sms=on`. */
export const SMS_LOCAL_NAMES = {
  smsFeedbackFunction: "tailor-sms-feedback",
  smsFeedbackDeadLetterQueue: "tailor-sms-feedback-dlq",
  smsEventsTopic: "tailor-sms-events",
  smsRepliesTopic: "tailor-sms-replies",
} as const;
