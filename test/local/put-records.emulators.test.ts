import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type PutRecordsResultEntry,
} from "@aws-sdk/client-kinesis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type PutEntry, putAll, putBatches } from "#infra/local/put-records.js";
import { createStream, startKinesisEmulators } from "./helpers.js";

const encoder = new TextEncoder();
const entries = (n: number, bytes = 10): PutEntry[] =>
  Array.from({ length: n }, (_, i) => ({
    partitionKey: `k${i % 7}`,
    data: encoder.encode(`${i}`.padEnd(bytes, ".")),
  }));

describe("putBatches", () => {
  it("cuts at 500 records", () => {
    expect([...putBatches(entries(1201))].map((b) => b.length)).toEqual([500, 500, 201]);
  });

  it("cuts before 5 MiB of data and partition keys", () => {
    // 12 records of 1,000,000 bytes + a 2-byte key: 5 fit in 5 MiB (5,242,880 bytes), the 6th would not.
    expect([...putBatches(entries(12, 1_000_000))].map((b) => b.length)).toEqual([5, 5, 2]);
  });

  it("rejects a record over 1 MiB", () => {
    expect(() => [...putBatches(entries(1, 1024 * 1024 + 1))]).toThrow(/at most 1 MiB/);
  });
});

describe("putAll against kinesalite", () => {
  let kinesis: KinesisClient;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ kinesis, stop } = await startKinesisEmulators("tailor-put-"));
  });

  afterAll(async () => {
    await stop?.();
  });

  async function readAll(stream: string): Promise<string[]> {
    const shards = await kinesis.send(new ListShardsCommand({ StreamName: stream }));
    const bodies: string[] = [];
    for (const shard of shards.Shards ?? []) {
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: stream,
          ShardId: shard.ShardId,
          ShardIteratorType: "TRIM_HORIZON",
        }),
      );
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
      bodies.push(...(out.Records ?? []).map((r) => new TextDecoder().decode(r.Data)));
    }
    return bodies;
  }

  it("puts every record once, in order, in as few calls as the limits allow", async () => {
    await createStream(kinesis, "put-all-1");
    const records = entries(1201);
    const progress: number[] = [];
    const result = await putAll({
      kinesis,
      streamName: "put-all-1",
      records,
      onProgress: (n) => progress.push(n),
    });
    expect(result).toEqual({ put: 1201, calls: 3, retried: 0 });
    expect(progress).toEqual([500, 1000, 1201]);
    expect(await readAll("put-all-1")).toEqual(records.map((r) => new TextDecoder().decode(r.data)));
  });

  it("sends again only the entries a partial failure reports as failed", async () => {
    await createStream(kinesis, "put-all-2");
    // Fault injection: on the first PutRecords, entries 1 and 3 never reach the stream and come back throttled.
    const sentBatches: number[] = [];
    let injected = false;
    kinesis.middlewareStack.add(
      (next) => async (args) => {
        const { input } = args;
        if (injected || !("Records" in input) || !Array.isArray(input.Records) || !("StreamName" in input)) {
          if ("Records" in input && Array.isArray(input.Records)) sentBatches.push(input.Records.length);
          return next(args);
        }
        injected = true;
        const dropped = new Set([1, 3]);
        const kept = input.Records.filter((_, i) => !dropped.has(i));
        sentBatches.push(input.Records.length);
        const result = await next({ ...args, input: { ...input, Records: kept } });
        const output = result.output;
        if (!("Records" in output) || !Array.isArray(output.Records)) return result;
        const served: PutRecordsResultEntry[] = [...output.Records];
        const merged: PutRecordsResultEntry[] = input.Records.map((_, i) =>
          dropped.has(i)
            ? { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded" }
            : (served.shift() ?? {}),
        );
        return { ...result, output: { ...output, FailedRecordCount: 2, Records: merged } };
      },
      { step: "initialize", name: "injectPartialFailure" },
    );
    try {
      const records = entries(6);
      const result = await putAll({ kinesis, streamName: "put-all-2", records, backoffMs: 1 });
      expect(result).toEqual({ put: 6, calls: 2, retried: 2 });
      expect(sentBatches).toEqual([6, 2]);
      const stored = await readAll("put-all-2");
      const bodies = records.map((r) => new TextDecoder().decode(r.data));
      expect([...stored].sort()).toEqual([...bodies].sort());
      // The retried entries arrive after the others: the order a producer retrying failures gets on Kinesis.
      expect(stored.slice(-2)).toEqual([bodies[1], bodies[3]]);
    } finally {
      kinesis.middlewareStack.remove("injectPartialFailure");
    }
  });

  it("paces the puts to the requested rate", async () => {
    await createStream(kinesis, "put-all-3");
    const started = performance.now();
    const result = await putAll({
      kinesis,
      streamName: "put-all-3",
      records: entries(60),
      ratePerSecond: 200,
    });
    const seconds = (performance.now() - started) / 1000;
    expect(result.put).toBe(60);
    expect(result.calls).toBe(3);
    expect(seconds).toBeGreaterThanOrEqual(0.28);
  });

  it("does not swallow a failing call", async () => {
    await expect(putAll({ kinesis, streamName: "no-such-stream", records: entries(3) })).rejects.toThrow(
      /not found/i,
    );
  });
});
