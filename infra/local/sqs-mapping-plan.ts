import type { z } from "zod";
import type { eventSourceMappingProperties } from "./cfn-template.js";
import { defaultSqsMappingSettings, type SqsMappingSettings } from "./sqs-poller.js";

/** An SQS event source mapping the local stack runs: a poller of the queue invoking the function. */
export interface SqsMappingSpec {
  readonly logicalId: string;
  /** Local name of the function it invokes. */
  readonly functionName: string;
  readonly queueName: string;
  readonly queueArn: string;
  readonly queueUrl: string;
  readonly settings: SqsMappingSettings;
}

/**
 * The poller settings of an SQS mapping, as Lambda reads them (Kinesis-only settings are not expected; a
 * template with them gets a note).
 */
export function sqsMappingSettings(
  logicalId: string,
  properties: z.infer<typeof eventSourceMappingProperties>,
  notes: string[],
): SqsMappingSettings {
  const kinesisOnly = (
    [
      "StartingPosition",
      "BisectBatchOnFunctionError",
      "MaximumRetryAttempts",
      "MaximumRecordAgeInSeconds",
      "ParallelizationFactor",
      "DestinationConfig",
    ] as const
  ).filter((key) => properties[key] !== undefined);
  if (kinesisOnly.length > 0) notes.push(`${logicalId}: ${kinesisOnly.join(", ")} ignored for a queue`);
  const defaults = defaultSqsMappingSettings;
  return {
    batchSize: properties.BatchSize ?? defaults.batchSize,
    maximumBatchingWindowInSeconds:
      properties.MaximumBatchingWindowInSeconds ?? defaults.maximumBatchingWindowInSeconds,
    reportBatchItemFailures: (properties.FunctionResponseTypes ?? []).includes("ReportBatchItemFailures"),
    maximumConcurrency: properties.ScalingConfig?.MaximumConcurrency ?? defaults.maximumConcurrency,
  };
}
