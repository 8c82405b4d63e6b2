import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";

/** Adds each named count to the invocation's metrics (one EMF record, the function's dimensions). */
export function addCounts(metrics: Metrics, counts: Readonly<Record<string, number>>): void {
  for (const [name, value] of Object.entries(counts)) metrics.addMetric(name, MetricUnit.Count, value);
}

/**
 * Logs the outcome of a run: a warning when something went wrong (the alarms and a reader's eye look there),
 * a debug line otherwise (a healthy batch is counted in the metrics, not logged at info).
 */
export function logOutcome(
  logger: Logger,
  troubled: boolean,
  messages: { readonly troubled: string; readonly healthy: string },
  attributes: Readonly<Record<string, unknown>>,
): void {
  if (troubled) logger.warn(messages.troubled, attributes);
  else logger.debug(messages.healthy, attributes);
}

/** An SQS or Kinesis partial batch response from the ids of the items to deliver again. */
export function batchItemFailures(failed: Iterable<string>): {
  batchItemFailures: { itemIdentifier: string }[];
} {
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}
