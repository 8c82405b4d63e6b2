import { gunzipSync, gzipSync } from "node:zlib";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LambdaHandler } from "#infra/local/handler-loader.js";
import { type LocalStack, startLocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { archiveFirehoseRecords, parseFirehoseTransformationEvent } from "#shared/app/archive-transform.js";
import {
  type ArchivedRecord,
  archiveHourPrefix,
  parseArchiveText,
} from "#shared/domain/events/archived-record.js";
import { kplAggregate } from "#test/support/kpl-aggregate.js";
import { tempDir } from "./helpers.js";

const data = tempDir("tailor-archive-");
const anyPort = { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0, api: 0 };
/** Ingest stands aside (it would quarantine these bytes): the archive reads the stream on its own. */
const idle: LambdaHandler = async () => ({ batchItemFailures: [] });

/** Every object under `prefix` of the archive bucket, gunzipped, by key. */
async function objects(s3: S3Client, prefix: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: LOCAL_NAMES.archiveBucket,
        Prefix: prefix,
        ContinuationToken: token,
      }),
    );
    for (const { Key } of page.Contents ?? []) {
      if (Key === undefined) continue;
      const body = await s3.send(new GetObjectCommand({ Bucket: LOCAL_NAMES.archiveBucket, Key }));
      found.set(
        Key,
        gunzipSync((await body.Body?.transformToByteArray()) ?? new Uint8Array()).toString("utf8"),
      );
    }
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return found;
}

/** The user records put: their partition key and bytes, in the order given. */
interface Put {
  readonly partitionKey: string;
  readonly bytes: Buffer;
}

/** A running local stack (ingest standing aside) and clients on its stream and its S3. */
interface Running {
  readonly stack: LocalStack;
  readonly kinesis: KinesisClient;
  readonly s3: S3Client;
  stop(): Promise<void>;
}

/** The local stack on `dataDir` (fresh unless `keep`), the handlers given standing in for their functions'. */
async function run(
  dataDir: string,
  options: { keep?: boolean; handlers?: Record<string, LambdaHandler> } = {},
) {
  const stack = await startLocalStack({
    dataDir,
    fresh: options.keep !== true,
    ports: anyPort,
    handlers: { [LOCAL_NAMES.ingestFunction]: idle, ...options.handlers },
    schedules: false,
    log: () => {},
    env: { POWERTOOLS_LOG_LEVEL: "ERROR", POWERTOOLS_METRICS_DISABLED: "true" },
  });
  const base = { region: "us-east-1", credentials: { accessKeyId: "t", secretAccessKey: "t" } };
  const kinesis = new KinesisClient({ ...base, endpoint: stack.endpoints.kinesis });
  const s3 = new S3Client({ ...base, endpoint: stack.endpoints.s3, forcePathStyle: true });
  const running: Running = {
    stack,
    kinesis,
    s3,
    stop: async () => {
      kinesis.destroy();
      s3.destroy();
      await stack.stop();
    },
  };
  return running;
}

describe("the local stack's raw event archive (Firehose from the template)", () => {
  let local: Running;
  const startedAt = Date.now();

  beforeAll(async () => {
    local = await run(data.dir);
  }, 180_000);

  afterAll(async () => {
    await local?.stop();
    data.remove();
  });

  it("archives every user record once, plain, gzip and KPL-aggregated, its bytes equal, under its hour", async () => {
    const { kinesis, s3, stack } = local;
    // GIVEN plain JSON, gzip and binary records, and two KPL aggregates of user records on several keys
    const plain: Put[] = Array.from({ length: 30 }, (_, i) => ({
      partitionKey: `customer-${i % 7}`,
      bytes: Buffer.from(JSON.stringify({ type: "track", event: "Product Viewed", messageId: `m-${i}` })),
    }));
    const zipped: Put[] = Array.from({ length: 5 }, (_, i) => ({
      partitionKey: `customer-z${i}`,
      bytes: gzipSync(JSON.stringify({ type: "track", event: "Order Completed", messageId: `z-${i}` })),
    }));
    const binary: Put = { partitionKey: "customer-bin", bytes: Buffer.from([0, 255, 10, 13, 34, 92]) };
    const users: Put[] = Array.from({ length: 40 }, (_, i) => ({
      partitionKey: `kpl-${i % 4}`,
      bytes: Buffer.from(JSON.stringify({ type: "identify", userId: `u-${i}`, n: i })),
    }));
    const aggregates = [
      ...(await kplAggregate(
        users.slice(0, 25).map((u) => ({ partitionKey: u.partitionKey, data: u.bytes })),
      )),
      ...(await kplAggregate(users.slice(25).map((u) => ({ partitionKey: u.partitionKey, data: u.bytes })))),
    ];
    expect(aggregates).toHaveLength(2);

    // WHEN they are put on the stream and the stack has caught up
    const direct = [...plain, ...zipped, binary];
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: LOCAL_NAMES.eventStream,
        Records: [
          ...direct.map((p) => ({ PartitionKey: p.partitionKey, Data: p.bytes })),
          ...aggregates.map((bytes, i) => ({ PartitionKey: `aggregate-${i}`, Data: bytes })),
        ],
      }),
    );
    await stack.waitUntilIdle({ timeoutMs: 120_000 });

    // THEN the archive holds every user record once, as the domain reads it, under the hour it arrived
    const written = await objects(s3, "events/");
    const records: ArchivedRecord[] = [];
    for (const [key, text] of written) {
      expect(key).toMatch(
        /^events\/year=\d{4}\/month=\d{2}\/day=\d{2}\/hour=\d{2}\/tailor-archive-1-.+\.gz$/,
      );
      const { records: read, errors } = parseArchiveText(text);
      expect(errors).toEqual([]);
      for (const record of read)
        expect(key.startsWith(archiveHourPrefix(Date.parse(record.arrivedAt)))).toBe(true);
      records.push(...read);
    }
    const expected = [...direct, ...users];
    expect(records).toHaveLength(expected.length);
    const seen = records.map((r) => `${r.partitionKey} ${r.data}`).sort();
    expect(seen).toEqual(expected.map((p) => `${p.partitionKey} ${p.bytes.toString("base64")}`).sort());
    // ... positions: unique, a subsequence number for the aggregates' user records only
    expect(new Set(records.map((r) => `${r.sequenceNumber}.${r.subsequenceNumber}`)).size).toBe(
      records.length,
    );
    const aggregated = records.filter((r) => r.subsequenceNumber !== undefined);
    expect(aggregated.map((r) => r.partitionKey).sort()).toEqual(users.map((u) => u.partitionKey).sort());
    expect(new Set(aggregated.map((r) => r.sequenceNumber)).size).toBe(2);
    for (const r of records) {
      expect(r.shardId).toMatch(/^shardId-/);
      expect(Date.parse(r.arrivedAt)).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(Date.parse(r.arrivedAt)).toBeLessThanOrEqual(Date.now());
    }
    // ... nothing failed, and the counters agree
    expect(await objects(s3, "errors/")).toEqual(new Map());
    const [archive] = stack.archives;
    expect(archive?.counters).toMatchObject({ archived: expected.length, failed: 0 });
  }, 180_000);

  it("does not archive a record twice after a restart: its checkpoint is its own", async () => {
    // GIVEN what is archived so far, and the stack restarted on the same data
    const before = [...(await objects(local.s3, "events/")).values()].flatMap(
      (t) => parseArchiveText(t).records,
    ).length;
    await local.stop();
    local = await run(data.dir, { keep: true });
    const { kinesis, s3, stack } = local;

    // WHEN one more record is put
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: LOCAL_NAMES.eventStream,
        Records: [{ PartitionKey: "after-restart", Data: Buffer.from("{}") }],
      }),
    );
    await stack.waitUntilIdle({ timeoutMs: 120_000 });

    // THEN only that one is added
    const after = [...(await objects(s3, "events/")).values()].flatMap((t) => parseArchiveText(t).records);
    expect(after).toHaveLength(before + 1);
    expect(after.filter((r) => r.partitionKey === "after-restart")).toHaveLength(1);
  }, 240_000);
});

describe("the local archive when the transform fails records, or fails as a whole", () => {
  const failing = tempDir("tailor-archive-failing-");
  let local: Running;
  /** The real transform, but a record holding "poison" fails, and a batch holding "crash" throws. */
  const transform: LambdaHandler = async (event) => {
    const input = parseFirehoseTransformationEvent(event);
    const text = (data: unknown) => Buffer.from(String(data), "base64").toString("utf8");
    if (input.records.some((r) => text(Reflect.get(r, "data")).includes("crash"))) throw new Error("crashed");
    const { response } = archiveFirehoseRecords(input);
    return {
      records: response.records.map((r, i) =>
        text(Reflect.get(input.records[i] ?? {}, "data")).includes("poison")
          ? { recordId: r.recordId, result: "ProcessingFailed" }
          : r,
      ),
    };
  };

  beforeAll(async () => {
    local = await run(failing.dir, { handlers: { [LOCAL_NAMES.archiveFunction]: transform } });
  }, 180_000);

  afterAll(async () => {
    await local?.stop();
    failing.remove();
  });

  const put = async (bodies: readonly string[]) => {
    const { kinesis, stack } = local;
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: LOCAL_NAMES.eventStream,
        Records: bodies.map((body, i) => ({ PartitionKey: `k-${i}`, Data: Buffer.from(body) })),
      }),
    );
    await stack.waitUntilIdle({ timeoutMs: 120_000 });
  };

  it("files what it cannot archive raw under the error prefix, with the reason, and archives the rest", async () => {
    const { s3, stack } = local;
    // WHEN a poisoned record comes with a good one, then a batch that crashes the transform
    await put(["good-1", "poison"]);
    await put(["crash", "good-2"]);

    // THEN the good record of the first batch is archived
    const archived = [...(await objects(s3, "events/")).values()].flatMap((t) => parseArchiveText(t).records);
    expect(archived.map((r) => Buffer.from(r.data, "base64").toString("utf8"))).toEqual(["good-1"]);
    // ... and the three others are under errors/processing-failed/, raw, each with why
    const errors = [...(await objects(s3, "errors/processing-failed/")).values()]
      .flatMap((text) => text.split("\n").filter((line) => line !== ""))
      .map((line) => JSON.parse(line));
    const byBody = new Map(errors.map((e) => [Buffer.from(e.rawData, "base64").toString("utf8"), e]));
    expect([...byBody.keys()].sort()).toEqual(["crash", "good-2", "poison"]);
    expect(byBody.get("poison")).toMatchObject({ errorCode: "Lambda.ProcessingFailed", attemptsMade: 1 });
    expect(byBody.get("crash")).toMatchObject({ errorCode: "Lambda.InvokeFailed", attemptsMade: 4 });
    expect(byBody.get("crash")?.errorMessage).toContain("crashed");
    expect(stack.archives[0]?.counters).toMatchObject({ archived: 1, failed: 3 });
  }, 240_000);
});
