import { createServer, type Server } from "node:http";
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chunkForPutRecords, KinesisEventWriter } from "#shared/aws/kinesis-event-writer.js";
import { PUT_RECORDS_MAX_BYTES } from "#shared/domain/events/put-records-limits.js";
import { DependencyUnavailableError } from "#shared/errors.js";
import type { EventRecord } from "#shared/ports.js";
import { createStream, startKinesisEmulators } from "../local/helpers.js";

const encoder = new TextEncoder();
const records = (n: number, bytes = 10): EventRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    customerId: `c-${i % 7}`,
    data: encoder.encode(`${i}`.padEnd(bytes, ".")),
  }));
const noSleep = async () => undefined;

describe("chunkForPutRecords", () => {
  it("cuts at 500 records", () => {
    const all = records(1201);
    expect(
      chunkForPutRecords(
        all,
        all.map((_, i) => i),
      ).map((c) => c.length),
    ).toEqual([500, 500, 201]);
  });

  it("cuts before 5 MiB of data and partition keys, keeping order", () => {
    const all = records(12, 1_000_000);
    const chunks = chunkForPutRecords(
      all,
      all.map((_, i) => i),
    );
    expect(chunks.map((c) => c.length)).toEqual([5, 5, 2]);
    expect(chunks.flat()).toEqual(all.map((_, i) => i));
    expect(5 * (1_000_000 + 3)).toBeLessThanOrEqual(PUT_RECORDS_MAX_BYTES);
  });
});

/** A PutRecords endpoint that refuses the entries `refuse` picks (per call), or fails every call with a 500. */
async function fakeKinesis(refuse: (call: number, partitionKey: string) => boolean | "fail") {
  const calls: string[][] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const keys: string[] = body.Records.map((r: { PartitionKey: string }) => r.PartitionKey);
      calls.push(keys);
      const call = calls.length;
      if (keys.some((k) => refuse(call, k) === "fail")) {
        res.writeHead(500, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify({ __type: "InternalFailure", message: "boom" }));
        return;
      }
      const results = keys.map((k, i) =>
        refuse(call, k)
          ? { ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "slow down" }
          : { SequenceNumber: `${call}-${i}`, ShardId: "shardId-000000000000" },
      );
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(
        JSON.stringify({
          FailedRecordCount: results.filter((r) => "ErrorCode" in r).length,
          Records: results,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const client = new KinesisClient({
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    endpoint: `http://127.0.0.1:${port}`,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
  return { calls, client, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe("KinesisEventWriter retries", () => {
  it("sends again only the refused entries, and reports those still refused", async () => {
    // c-1 is refused on the first call only; c-3 always.
    const fake = await fakeKinesis((call, key) => key === "c-3" || (key === "c-1" && call === 1));
    try {
      const writer = new KinesisEventWriter({
        client: fake.client,
        streamName: "s",
        maxAttempts: 3,
        sleep: noSleep,
      });
      const outcome = await writer.put(records(5));
      expect(fake.calls).toEqual([["c-0", "c-1", "c-2", "c-3", "c-4"], ["c-1", "c-3"], ["c-3"]]);
      expect(outcome).toEqual({ accepted: 4, rejected: [3] });
    } finally {
      fake.client.destroy();
      await fake.close();
    }
  });

  it("throws a retryable error when the stream fails every call", async () => {
    const fake = await fakeKinesis(() => "fail");
    try {
      const writer = new KinesisEventWriter({
        client: fake.client,
        streamName: "s",
        maxAttempts: 2,
        sleep: noSleep,
      });
      await expect(writer.put(records(2))).rejects.toBeInstanceOf(DependencyUnavailableError);
      expect(fake.calls).toHaveLength(2);
    } finally {
      fake.client.destroy();
      await fake.close();
    }
  });
});

describe("KinesisEventWriter against kinesalite", () => {
  let kinesis: KinesisClient;
  let stop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ({ kinesis, stop } = await startKinesisEmulators("tailor-api-writer-"));
  });

  afterAll(async () => {
    await stop?.();
  });

  it("puts every event with the customer as partition key; GetRecords reads them back", async () => {
    await createStream(kinesis, "api-events", 2);
    const writer = new KinesisEventWriter({ client: kinesis, streamName: "api-events" });
    const events = Array.from({ length: 620 }, (_, i) => ({
      customerId: `cust-${i % 13}`,
      data: encoder.encode(JSON.stringify({ type: "track", event: "Product Viewed", messageId: `m-${i}` })),
    }));
    const outcome = await writer.put(events);
    expect(outcome).toEqual({ accepted: 620, rejected: [] });

    const read: { key: string; body: string }[] = [];
    const shards = await kinesis.send(new ListShardsCommand({ StreamName: "api-events" }));
    for (const shard of shards.Shards ?? []) {
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: "api-events",
          ShardId: shard.ShardId,
          ShardIteratorType: "TRIM_HORIZON",
        }),
      );
      const out = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
      for (const r of out.Records ?? [])
        read.push({ key: r.PartitionKey ?? "", body: new TextDecoder().decode(r.Data) });
    }
    expect(read).toHaveLength(620);
    const sent = events.map((e) => ({ key: e.customerId, body: new TextDecoder().decode(e.data) }));
    const byMessage = (x: { body: string }) => JSON.parse(x.body).messageId;
    expect([...read].sort((a, b) => byMessage(a).localeCompare(byMessage(b)))).toEqual(
      [...sent].sort((a, b) => byMessage(a).localeCompare(byMessage(b))),
    );
    // One customer's events stay in put order on their shard.
    const c5 = read.filter((r) => r.key === "cust-5").map(byMessage);
    expect(c5).toEqual(sent.filter((s) => s.key === "cust-5").map(byMessage));
  });
});
