import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from "aws-lambda";
import { type IngestRecord, ingestBatch } from "#shared/app/ingest-batch.js";
import { userRecordsOf } from "#shared/aws/kinesis-user-records.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, observabilityFor } from "#shared/lambda/middleware.js";
import { reportIngest } from "#shared/lambda/reports/ingest-report.js";
import { ingestEnvSchema } from "./env.js";
import { makeIngestDeps } from "./make-deps.js";

const env = loadEnv(ingestEnvSchema);
const observability = observabilityFor(env);
const deps = makeIngestDeps(env);
const processor = new BatchProcessor(EventType.KinesisDataStreams);

/** Lambda's Kinesis record → the use case's record (raw bytes, arrival time in ms). */
export const toIngestRecord = ({ kinesis, eventID }: KinesisStreamRecord): IngestRecord => ({
  sequenceNumber: kinesis.sequenceNumber,
  partitionKey: kinesis.partitionKey,
  shardId: eventID.split(":")[0],
  data: Buffer.from(kinesis.data, "base64"),
  approximateArrivalTimestamp: Math.round(kinesis.approximateArrivalTimestamp * 1000),
});

/**
 * Ingests the batch (KPL-aggregated records de-aggregated into their user records first), then lets Powertools
 * report the records that must be redelivered: a failed user record fails its aggregate's sequence number.
 */
export async function run(event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> {
  const records = event.Records.flatMap((record) => userRecordsOf(toIngestRecord(record)));
  const { failed, summary } = await ingestBatch(deps, records);
  reportIngest(observability, summary);
  const redeliver = async ({ kinesis }: KinesisStreamRecord) => {
    if (failed.has(kinesis.sequenceNumber)) throw new Error(`record ${kinesis.sequenceNumber} not ingested`);
  };
  return processPartialResponse(event, redeliver, processor, { context });
}

export const handler = baseMiddlewareBundle<KinesisStreamEvent, KinesisStreamBatchResponse>(
  observability,
).handler(run);
