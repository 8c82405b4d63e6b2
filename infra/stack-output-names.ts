/**
 * The names of the stack outputs that `tailor doctor` reads (from `cdk deploy --outputs-file`): the resources
 * and settings it checks. Kept apart from the CDK code so the CLI reads them without loading aws-cdk-lib.
 */
export const DOCTOR_OUTPUTS = {
  /** The SES identity (domain or address) the sender belongs to. */
  sendingIdentity: "SendingIdentity",
  /** The SES configuration set every send names. */
  configurationSetName: "ConfigurationSetName",
  /** The `sendRatePerSecond` setting, as text. */
  sendRatePerSecond: "SendRatePerSecond",
  /** Model name → SageMaker endpoint name, as JSON (the recommender under `recommendations`). */
  modelEndpoints: "ModelEndpoints",
  /** The ARN of the topic every alarm notifies. */
  alarmTopicArn: "AlarmTopicArn",
  /** The name of the Kinesis event stream. */
  eventStreamName: "EventStreamName",
} as const;

/** The key under which {@link DOCTOR_OUTPUTS}.modelEndpoints holds the recommender's endpoint. */
export const RECOMMENDER_MODEL = "recommendations";

/**
 * The names of the stack outputs that name the raw event archive: its bucket (what `tailor replay` reads), the
 * Firehose delivery stream writing it, and the Glue database and table Athena queries it through.
 */
export const ARCHIVE_OUTPUTS = {
  bucket: "ArchiveBucketName",
  deliveryStream: "ArchiveDeliveryStreamName",
  database: "ArchiveDatabaseName",
  table: "ArchiveTableName",
} as const;

/**
 * The names of the stack outputs of the scheduled campaigns' fan-out: the table holding the runs' progress (the
 * segments table, `fanout#…` keys; what `tailor campaign status` reads) and the workflow's state machine.
 */
export const FANOUT_OUTPUTS = {
  runsTable: "CampaignRunsTableName",
  stateMachineArn: "CampaignFanOutStateMachineArn",
} as const;

/** The stack output naming the segment jobs' state machine (its ARN): what `tailor segments recount --outputs` reads. */
export const SEGMENT_JOBS_OUTPUT = "SegmentJobsStateMachineArn";

/**
 * The names of the stack outputs of the models on AWS: the model bucket (registry and feature tables) and the
 * training workflow `tailor train --aws` starts.
 */
export const MODEL_OUTPUTS = {
  bucket: "ModelBucketName",
  trainingStateMachineArn: "ModelTrainingStateMachineArn",
} as const;

/**
 * The names of the stack outputs naming the functions whose configuration `tailor campaign dry-run --outputs`
 * reads (`GetFunctionConfiguration`): it builds the same read-only dependencies against the deployed tables.
 */
export const DRY_RUN_OUTPUTS = {
  dispatchFunction: "DispatchFunctionName",
  fanOutPartFunction: "CampaignFanOutPartFunctionName",
} as const;
