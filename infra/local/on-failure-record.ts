import { randomUUID } from "node:crypto";
import { arrivalMs, type ShardRecord } from "./kinesis-event.js";

/** Why a batch was given up on, in Lambda's words. */
export type FailureCondition = "RetryAttemptsExhausted" | "RecordAgeExceeded";

/**
 * The document Lambda sends to a Kinesis event source mapping's on-failure destination: metadata about the
 * discarded records (not the records themselves: read them from the stream by shard and sequence numbers).
 */
export interface KinesisOnFailureRecord {
  readonly requestContext: {
    readonly requestId: string;
    readonly functionArn: string;
    readonly condition: FailureCondition;
    readonly approximateInvokeCount: number;
  };
  readonly responseContext: {
    readonly statusCode: number;
    readonly executedVersion: string;
    /** `Unhandled` when the function threw or timed out; absent when it reported item failures. */
    readonly functionError?: string;
  };
  readonly version: "1.0";
  readonly timestamp: string;
  readonly KinesisBatchInfo: {
    readonly shardId: string;
    readonly startSequenceNumber: string;
    readonly endSequenceNumber: string;
    readonly approximateArrivalOfFirstRecord: string;
    readonly approximateArrivalOfLastRecord: string;
    readonly batchSize: number;
    readonly streamArn: string;
  };
}

/** Builds the on-failure record for `records` (non-empty, one shard, in order). */
export function onFailureRecord(options: {
  readonly records: readonly ShardRecord[];
  readonly condition: FailureCondition;
  readonly invokeCount: number;
  readonly functionArn: string;
  readonly streamArn: string;
  /** `Unhandled` if the last invocation threw or timed out; undefined if it reported item failures. */
  readonly functionError: "Unhandled" | undefined;
  readonly now: number;
}): KinesisOnFailureRecord {
  const { records, now } = options;
  const first = records[0];
  const last = records[records.length - 1];
  if (first === undefined || last === undefined) throw new RangeError("an on-failure record needs records");
  const iso = (item: ShardRecord) => new Date(arrivalMs(item.record, now)).toISOString();
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: options.functionArn,
      condition: options.condition,
      approximateInvokeCount: options.invokeCount,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: "$LATEST",
      ...(options.functionError === undefined ? {} : { functionError: options.functionError }),
    },
    version: "1.0",
    timestamp: new Date(now).toISOString(),
    KinesisBatchInfo: {
      shardId: first.shardId,
      startSequenceNumber: first.record.SequenceNumber ?? "",
      endSequenceNumber: last.record.SequenceNumber ?? "",
      approximateArrivalOfFirstRecord: iso(first),
      approximateArrivalOfLastRecord: iso(last),
      batchSize: records.length,
      streamArn: options.streamArn,
    },
  };
}
