import path from "node:path";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { SendMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { Context, KinesisStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CheckpointStore } from "#infra/local/checkpoint-store.js";
import { type Emulators, startEmulators } from "#infra/local/emulators.js";
import { defaultKinesisMappingSettings } from "#infra/local/event-source-mapping.js";
import {
  type KinesisHandler,
  type KinesisMappingSettings,
  KinesisPoller,
} from "#infra/local/kinesis-poller.js";
import { createQueue, createStream, putRecords, receiveAll, tempDir, testClients } from "./helpers.js";

const fn = {
  functionName: "tailor-test",
  functionArn: "arn:aws:lambda:us-east-1:000000000000:function:tailor-test",
  memorySize: 256,
  timeoutSeconds: 5,
};

/** Every invocation the fake handler saw: the records' bodies and sequence numbers, and the context. */
interface Seen {
  readonly bodies: string[];
  readonly sequences: string[];
  readonly event: KinesisStreamEvent;
  readonly context: Context;
}

function recording(respond: (seen: Seen, call: number) => unknown): {
  handler: KinesisHandler;
  calls: Seen[];
} {
  const calls: Seen[] = [];
  const handler: KinesisHandler = async (event, context) => {
    const seen: Seen = {
      bodies: event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString("utf8")),
      sequences: event.Records.map((r) => r.kinesis.sequenceNumber),
      event,
      context,
    };
    calls.push(seen);
    return respond(seen, calls.length);
  };
  return { handler, calls };
}

let emulators: Emulators;
let kinesis: KinesisClient;
let sqs: SQSClient;
const data = tempDir("tailor-poller-");
let streamCount = 0;

beforeAll(async () => {
  emulators = await startEmulators({
    dataDir: data.dir,
    ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0 },
  });
  ({ kinesis, sqs } = testClients(emulators.endpoints));
});

afterAll(async () => {
  kinesis?.destroy();
  sqs?.destroy();
  await emulators?.stop();
  data.remove();
});

async function setup(options: {
  handler: KinesisHandler;
  settings?: Partial<KinesisMappingSettings>;
  shards?: number;
  dlq?: boolean;
  now?: () => number;
  arrivalsOnClock?: boolean;
}) {
  const stream = `poller-${++streamCount}`;
  const streamArn = await createStream(kinesis, stream, options.shards ?? 1);
  const queueUrl = options.dlq ? await createQueue(sqs, emulators.endpoints, `${stream}-dlq`) : undefined;
  const checkpointFile = CheckpointStore.fileFor(path.join(data.dir, "checkpoints"), fn.functionName, stream);
  const make = (handler: KinesisHandler) =>
    new KinesisPoller({
      kinesis,
      streamName: stream,
      streamArn,
      function: fn,
      handler,
      settings: { ...defaultKinesisMappingSettings, ...options.settings },
      checkpoints: new CheckpointStore(checkpointFile),
      onFailure:
        queueUrl === undefined
          ? undefined
          : async (record) => {
              await sqs.send(
                new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(record) }),
              );
            },
      log: () => {},
      idlePollMaxMs: 50,
      retryDelayMs: 5,
      now: options.now,
      arrivalsOnClock: options.arrivalsOnClock,
    });
  return { stream, streamArn, queueUrl, checkpointFile, poller: make(options.handler), make };
}

describe("KinesisPoller against kinesalite", () => {
  it("delivers batches in Lambda's KinesisStreamEvent shape with a Lambda-like context", async () => {
    // GIVEN a poller over a one-shard stream
    const { handler, calls } = recording(() => ({ batchItemFailures: [] }));
    const { stream, streamArn, poller } = await setup({ handler });
    const before = Date.now();
    const sequences = await putRecords(kinesis, stream, ["hello", "world"], () => "customer-1");
    // WHEN it runs until idle
    await poller.start();
    await poller.waitUntilIdle();
    await poller.stop();
    // THEN the handler got both records, as Lambda shapes them
    expect(calls).toHaveLength(1);
    const [record] = calls[0]?.event.Records ?? [];
    expect(record).toEqual({
      kinesis: {
        kinesisSchemaVersion: "1.0",
        partitionKey: "customer-1",
        sequenceNumber: sequences[0],
        data: Buffer.from("hello").toString("base64"),
        approximateArrivalTimestamp: expect.any(Number),
      },
      eventSource: "aws:kinesis",
      eventVersion: "1.0",
      eventID: `shardId-000000000000:${sequences[0]}`,
      eventName: "aws:kinesis:record",
      invokeIdentityArn: expect.stringMatching(/^arn:aws:iam::000000000000:role\//),
      awsRegion: "us-east-1",
      eventSourceARN: streamArn,
    });
    const arrival = record?.kinesis.approximateArrivalTimestamp ?? 0;
    expect(arrival).toBeGreaterThan(before / 1000 - 1);
    expect(arrival).toBeLessThan(Date.now() / 1000 + 1);
    const context = calls[0]?.context;
    expect(context?.functionName).toBe(fn.functionName);
    expect(context?.invokedFunctionArn).toBe(fn.functionArn);
    expect(context?.memoryLimitInMB).toBe("256");
    expect(context?.getRemainingTimeInMillis()).toBeLessThanOrEqual(5000);
    expect(context?.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(poller.counters).toMatchObject({ batches: 1, records: 2, failures: 0, retries: 0 });
  });

  it("keeps batches within BatchSize and each shard's records in order, shards concurrently", async () => {
    const { handler, calls } = recording(() => undefined);
    const { stream, poller } = await setup({ handler, settings: { batchSize: 7 }, shards: 3 });
    const bodies = Array.from({ length: 60 }, (_, i) => `r${i}`);
    await putRecords(kinesis, stream, bodies, (i) => `customer-${i % 9}`);
    await poller.start();
    await poller.waitUntilIdle();
    await poller.stop();

    expect(calls.every((call) => call.bodies.length >= 1 && call.bodies.length <= 7)).toBe(true);
    expect(calls.flatMap((call) => call.bodies).sort()).toEqual([...bodies].sort());
    const byShard = new Map<string, bigint[]>();
    for (const call of calls) {
      const shards = new Set(call.event.Records.map((r) => r.eventID.split(":")[0]));
      expect(shards.size).toBe(1);
      for (const r of call.event.Records) {
        const shard = r.eventID.split(":")[0] ?? "";
        byShard.set(shard, [...(byShard.get(shard) ?? []), BigInt(r.kinesis.sequenceNumber)]);
      }
    }
    expect(byShard.size).toBeGreaterThan(1);
    for (const sequence of byShard.values()) {
      expect(sequence).toEqual([...sequence].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    }
  });

  it("retries from the first reported item failure: nothing lost, nothing before it reprocessed", async () => {
    // GIVEN a handler that reports record k as failed the first time it sees it
    const k = 4;
    const bodies = Array.from({ length: 10 }, (_, i) => `item-${i}`);
    let failedOnce = false;
    const processed: string[] = [];
    const { handler, calls } = recording((seen) => {
      const at = seen.bodies.indexOf(`item-${k}`);
      if (at !== -1 && !failedOnce) {
        failedOnce = true;
        processed.push(...seen.bodies.slice(0, at));
        return { batchItemFailures: [{ itemIdentifier: seen.sequences[at] }] };
      }
      processed.push(...seen.bodies);
      return { batchItemFailures: [] };
    });
    const { stream, poller, checkpointFile } = await setup({
      handler,
      settings: { batchSize: 10, reportBatchItemFailures: true },
    });
    const sequences = await putRecords(kinesis, stream, bodies);

    // WHEN the poller runs
    await poller.start();
    await poller.waitUntilIdle();
    await poller.stop();

    // THEN the retry starts exactly at k, and every record is processed exactly once
    expect(calls.map((c) => c.bodies)).toEqual([bodies, bodies.slice(k)]);
    expect(processed).toEqual(bodies);
    expect(poller.counters).toMatchObject({ batches: 2, records: 10, failures: 1, retries: 1, discarded: 0 });
    expect(new CheckpointStore(checkpointFile).get("shardId-000000000000")).toBe(sequences[9]);
  });

  it("ignores batchItemFailures when the mapping does not report them (as Lambda does)", async () => {
    const { handler, calls } = recording((seen) => ({
      batchItemFailures: [{ itemIdentifier: seen.sequences[0] }],
    }));
    const { stream, poller } = await setup({ handler, settings: { reportBatchItemFailures: false } });
    await putRecords(kinesis, stream, ["a", "b"]);
    await poller.start();
    await poller.waitUntilIdle();
    await poller.stop();
    expect(calls).toHaveLength(1);
    expect(poller.counters).toMatchObject({ records: 2, failures: 0 });
  });

  it("retries a throwing batch MaximumRetryAttempts times, then sends Lambda's on-failure record and moves on", async () => {
    // GIVEN a handler that throws on "bad" batches, 2 retries, no bisect, an SQS on-failure destination
    const { handler, calls } = recording((seen) => {
      if (seen.bodies.some((b) => b.startsWith("bad"))) throw new Error("boom");
      return undefined;
    });
    const { stream, streamArn, poller, queueUrl } = await setup({
      handler,
      settings: { maximumRetryAttempts: 2, batchSize: 10 },
      dlq: true,
    });
    const sequences = await putRecords(kinesis, stream, ["bad-1", "bad-2", "bad-3"]);

    // WHEN it runs
    await poller.start();
    await poller.waitUntilIdle();
    // ...and later records still flow
    await putRecords(kinesis, stream, ["good"]);
    await poller.waitUntilIdle();
    await poller.stop();

    // THEN 1 invocation + 2 retries, then one on-failure record describing the 3 records
    expect(calls.map((c) => c.bodies)).toEqual([
      ["bad-1", "bad-2", "bad-3"],
      ["bad-1", "bad-2", "bad-3"],
      ["bad-1", "bad-2", "bad-3"],
      ["good"],
    ]);
    const messages = await receiveAll(sqs, queueUrl ?? "");
    expect(messages).toEqual([
      {
        requestContext: {
          requestId: expect.any(String),
          functionArn: fn.functionArn,
          condition: "RetryAttemptsExhausted",
          approximateInvokeCount: 3,
        },
        responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
        version: "1.0",
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        KinesisBatchInfo: {
          shardId: "shardId-000000000000",
          startSequenceNumber: sequences[0],
          endSequenceNumber: sequences[2],
          approximateArrivalOfFirstRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          approximateArrivalOfLastRecord: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          batchSize: 3,
          streamArn,
        },
      },
    ]);
    expect(poller.counters).toMatchObject({ discarded: 3, records: 1, retries: 2, failures: 3 });
  });

  it("bisects a failing batch down to the poison record and gives up on that record alone", async () => {
    const { handler, calls } = recording((seen) => {
      if (seen.bodies.includes("poison")) throw new Error("cannot digest");
      return undefined;
    });
    const { stream, poller, queueUrl } = await setup({
      handler,
      settings: { bisectBatchOnFunctionError: true, maximumRetryAttempts: 1, batchSize: 4 },
      dlq: true,
    });
    const sequences = await putRecords(kinesis, stream, ["a", "poison", "b", "c"]);
    await poller.start();
    await poller.waitUntilIdle();
    await poller.stop();

    // [a poison b c] ✗ → [a poison] ✗ → [a] ✓ → [poison] ✗ → [poison] ✗ (retry 1) → given up → [b c] ✓
    expect(calls.map((c) => c.bodies)).toEqual([
      ["a", "poison", "b", "c"],
      ["a", "poison"],
      ["a"],
      ["poison"],
      ["poison"],
      ["b", "c"],
    ]);
    const [message] = await receiveAll(sqs, queueUrl ?? "");
    expect(message).toMatchObject({
      requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 2 },
      KinesisBatchInfo: { startSequenceNumber: sequences[1], endSequenceNumber: sequences[1], batchSize: 1 },
    });
    expect(poller.counters).toMatchObject({ records: 3, discarded: 1, bisects: 2 });
  });

  it("gives up on records older than MaximumRecordAgeInSeconds without invoking", async () => {
    const { handler, calls } = recording(() => undefined);
    const inTwoHours = () => Date.now() + 2 * 3600_000;
    const { stream, poller, queueUrl } = await setup({
      handler,
      settings: { maximumRecordAgeInSeconds: 3600 },
      dlq: true,
      now: inTwoHours,
    });
    await putRecords(kinesis, stream, ["old-1", "old-2"]);
    await poller.start();
    await poller.waitUntilIdle();
    await poller.stop();
    expect(calls).toEqual([]);
    expect(await receiveAll(sqs, queueUrl ?? "")).toMatchObject([
      {
        requestContext: { condition: "RecordAgeExceeded", approximateInvokeCount: 0 },
        KinesisBatchInfo: { batchSize: 2 },
      },
    ]);
  });

  it("waits up to the batching window to fill a batch", async () => {
    const { handler, calls } = recording(() => undefined);
    const { stream, poller } = await setup({
      handler,
      settings: { batchSize: 100, maximumBatchingWindowInSeconds: 1 },
    });
    await poller.start();
    await putRecords(kinesis, stream, ["w1"]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await putRecords(kinesis, stream, ["w2"]);
    await poller.waitUntilIdle();
    await poller.stop();
    expect(calls.map((c) => c.bodies)).toEqual([["w1", "w2"]]);
  });
});

describe("KinesisPoller checkpoints", () => {
  it("resumes after the checkpoint when restarted, also across an emulator restart", async () => {
    // GIVEN a stream whose first records were processed by a poller that then stopped
    const { handler: first, calls: firstCalls } = recording(() => undefined);
    const { stream, poller, make } = await setup({ handler: first });
    await putRecords(kinesis, stream, ["one", "two", "three"]);
    await poller.start();
    await poller.waitUntilIdle();
    await poller.stop();
    expect(firstCalls.flatMap((c) => c.bodies)).toEqual(["one", "two", "three"]);

    // WHEN records arrive while it is down, and the emulators and poller start again on the same data dir
    await putRecords(kinesis, stream, ["four", "five"]);
    kinesis.destroy();
    sqs.destroy();
    await emulators.stop();
    emulators = await startEmulators({
      dataDir: data.dir,
      ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0 },
    });
    ({ kinesis, sqs } = testClients(emulators.endpoints));
    const { handler: second, calls: secondCalls } = recording(() => undefined);
    // `make` reads the (new) clients when called; its checkpoint store reads the file afresh.
    const resumed = make(second);
    await resumed.start();
    await resumed.waitUntilIdle();
    await resumed.stop();

    // THEN only the new records are delivered
    expect(secondCalls.flatMap((c) => c.bodies)).toEqual(["four", "five"]);
  });
});

describe("KinesisPoller on a test clock", () => {
  it("measures a record's age on the clock: a clock moved 48 h ahead does not age a record just put", async () => {
    // GIVEN a poller whose clock is 48 h ahead, arrivals moved onto it, and a 24 h maximum record age
    const { handler, calls } = recording(() => undefined);
    const { stream, poller } = await setup({
      handler,
      settings: { maximumRecordAgeInSeconds: 86_400 },
      now: () => Date.now() + 48 * 3600_000,
      arrivalsOnClock: true,
    });
    const before = Date.now() + 48 * 3600_000;
    // WHEN a record is put and polled
    await putRecords(kinesis, stream, ["fresh"]);
    await poller.start();
    await poller.waitUntilIdle();
    await poller.stop();
    // THEN it was handled, with an arrival time on the clock
    expect(calls.map((c) => c.bodies)).toEqual([["fresh"]]);
    const arrival = (calls[0]?.event.Records[0]?.kinesis.approximateArrivalTimestamp ?? 0) * 1000;
    expect(arrival).toBeGreaterThanOrEqual(before - 2000);
    expect(poller.counters.discarded).toBe(0);
  });
});
