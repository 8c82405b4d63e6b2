/**
 * The settings of a Kinesis event source mapping that the local poller honours, named and defaulted as Lambda's
 * `CreateEventSourceMapping` does (BatchSize 100, no batching window, retries and record age unlimited).
 */
export interface KinesisMappingSettings {
  /** Records per invocation, at most. Default 100. */
  readonly batchSize: number;
  /** How long to gather records before invoking with less than a full batch. Default 0. */
  readonly maximumBatchingWindowInSeconds: number;
  /** Where to start reading a shard with no checkpoint. */
  readonly startingPosition: "TRIM_HORIZON" | "LATEST";
  /** Split a failing batch in two (does not count as a retry). Default false. */
  readonly bisectBatchOnFunctionError: boolean;
  /** Retries before a batch is given up on; -1: until the records expire. Default -1. */
  readonly maximumRetryAttempts: number;
  /** Records older than this are given up on without invoking; -1: never. Default -1. */
  readonly maximumRecordAgeInSeconds: number;
  /** `FunctionResponseTypes` includes `ReportBatchItemFailures`: honour `batchItemFailures`. */
  readonly reportBatchItemFailures: boolean;
}

/** Lambda's defaults, for settings a template leaves out. */
export const defaultKinesisMappingSettings: KinesisMappingSettings = {
  batchSize: 100,
  maximumBatchingWindowInSeconds: 0,
  startingPosition: "TRIM_HORIZON",
  bisectBatchOnFunctionError: false,
  maximumRetryAttempts: -1,
  maximumRecordAgeInSeconds: -1,
  reportBatchItemFailures: false,
};
