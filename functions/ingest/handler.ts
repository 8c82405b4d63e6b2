import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from "aws-lambda";
import { type IngestRecord, ingestBatch } from "#shared/app/ingest-batch.js";
import { userRecordsOf } from "#shared/aws/kinesis-user-records.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, createObservability } from "#shared/lambda/middleware.js";
import { ingestEnvSchema } from "./env.js";
import { makeIngestDeps } from "./make-deps.js";

const env = loadEnv(ingestEnvSchema);
const observability = createObservability({
  serviceName: env.POWERTOOLS_SERVICE_NAME,
  namespace: env.POWERTOOLS_METRICS_NAMESPACE,
});
const deps = makeIngestDeps(env);
const processor = new BatchProcessor(EventType.KinesisDataStreams);

/** Lambda's Kinesis record → the use case's record (raw bytes, arrival time in ms). */
export function toIngestRecord(record: KinesisStreamRecord): IngestRecord {
  return {
    sequenceNumber: record.kinesis.sequenceNumber,
    partitionKey: record.kinesis.partitionKey,
    shardId: record.eventID.split(":")[0],
    data: Buffer.from(record.kinesis.data, "base64"),
    approximateArrivalTimestamp: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
  };
}

/**
 * Ingests the batch (KPL-aggregated records de-aggregated into their user records first), then lets Powertools
 * report the records that must be redelivered: a failed user record fails its aggregate's sequence number.
 */
export async function run(event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> {
  const records = event.Records.flatMap((record) => userRecordsOf(toIngestRecord(record)));
  const { failed, summary } = await ingestBatch(deps, records);
  const { metrics, logger } = observability;
  metrics.addMetric("EventsIngested", MetricUnit.Count, summary.events);
  metrics.addMetric("EventsQuarantined", MetricUnit.Count, summary.quarantined);
  metrics.addMetric("EventsDuplicate", MetricUnit.Count, summary.duplicates);
  metrics.addMetric("ProfilesWritten", MetricUnit.Count, summary.profilesWritten);
  metrics.addMetric("ProfileWriteConflicts", MetricUnit.Count, summary.conflicts);
  metrics.addMetric("ProfileWriteUnits", MetricUnit.Count, summary.writeUnits);
  metrics.addMetric("RecordsFailed", MetricUnit.Count, summary.failedRecords);
  metrics.addMetric("SegmentTransitions", MetricUnit.Count, summary.transitions);
  metrics.addMetric("SegmentTransitionsPublished", MetricUnit.Count, summary.transitionsPublished);
  metrics.addMetric("OutboxWriteUnits", MetricUnit.Count, summary.outboxWriteUnits);
  metrics.addMetric("TimerWrites", MetricUnit.Count, summary.timerWrites);
  metrics.addMetric("CounterWrites", MetricUnit.Count, summary.counterWrites);
  metrics.addMetric("SendIntents", MetricUnit.Count, summary.intents);
  metrics.addMetric("SendIntentsEnqueued", MetricUnit.Count, summary.intentsEnqueued);
  metrics.addMetric("SendIntentsTimed", MetricUnit.Count, summary.intentsTimed);
  if (summary.quarantined > 0 || summary.failedRecords > 0 || summary.counterFailures > 0)
    logger.warn("batch ingested with rejects", { summary });
  else logger.debug("batch ingested", { summary });

  return processPartialResponse(
    event,
    async (record: KinesisStreamRecord) => {
      if (failed.has(record.kinesis.sequenceNumber)) {
        throw new Error(`record ${record.kinesis.sequenceNumber} not ingested; the stream will redeliver it`);
      }
    },
    processor,
    { context },
  );
}

export const handler = baseMiddlewareBundle<KinesisStreamEvent, KinesisStreamBatchResponse>(
  observability,
).handler(run);
