import { randomBytes, randomUUID } from "node:crypto";
import type { _Record as KinesisRecord } from "@aws-sdk/client-kinesis";
import type { Context, KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";

/** A Lambda handler for Kinesis events (middy-wrapped or plain); it may resolve a `KinesisStreamBatchResponse`. */
export type KinesisHandler = (event: KinesisStreamEvent, context: Context) => Promise<unknown>;

/** A record as read from a shard, with the shard it came from. */
export interface ShardRecord {
  readonly shardId: string;
  readonly record: KinesisRecord;
}

/** Where the batch comes from and who receives it, for the fields Lambda puts on every record. */
export interface EventSource {
  readonly streamArn: string;
  readonly region: string;
  /** The function's execution role (Lambda's `invokeIdentityArn`). */
  readonly invokeIdentityArn: string;
}

/** Arrival time in epoch ms (kinesalite always sets it; a record without one counts as just arrived). */
export function arrivalMs(record: KinesisRecord, now: number): number {
  return record.ApproximateArrivalTimestamp?.getTime() ?? now;
}

/** One record exactly as Lambda's Kinesis event source mapping delivers it. */
export function toLambdaRecord(item: ShardRecord, source: EventSource, now: number): KinesisStreamRecord {
  const { record, shardId } = item;
  const sequenceNumber = record.SequenceNumber ?? "";
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey: record.PartitionKey ?? "",
      sequenceNumber,
      data: Buffer.from(record.Data ?? new Uint8Array()).toString("base64"),
      approximateArrivalTimestamp: arrivalMs(record, now) / 1000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${shardId}:${sequenceNumber}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: source.invokeIdentityArn,
    awsRegion: source.region,
    eventSourceARN: source.streamArn,
  };
}

/** The `KinesisStreamEvent` of a batch. */
export function toLambdaEvent(
  batch: readonly ShardRecord[],
  source: EventSource,
  now: number,
): KinesisStreamEvent {
  return { Records: batch.map((item) => toLambdaRecord(item, source, now)) };
}

/** What a Lambda-like context needs to know about the function. */
export interface FunctionIdentity {
  readonly functionName: string;
  readonly functionArn: string;
  readonly memorySize: number;
  readonly timeoutSeconds: number;
}

function unsupported(name: string): () => never {
  return () => {
    throw new Error(
      `context.${name}() is the legacy callback API; return a promise from the handler instead`,
    );
  };
}

/** A Lambda-like `context` for one invocation, its deadline counted from `startedAt`. */
export function lambdaContext(fn: FunctionIdentity, startedAt: number): Context {
  const deadline = startedAt + fn.timeoutSeconds * 1000;
  const day = new Date(startedAt).toISOString().slice(0, 10).replaceAll("-", "/");
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: fn.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: fn.functionArn,
    memoryLimitInMB: String(fn.memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${fn.functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString("hex")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported("done"),
    fail: unsupported("fail"),
    succeed: unsupported("succeed"),
  };
}
