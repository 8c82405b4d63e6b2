import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { KinesisStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalStack, startLocalStack } from "#infra/local/local-stack.js";
import { profileKey } from "#shared/aws/profile-key.js";
import { kplAggregate } from "../support/kpl-aggregate.js";
import { lambdaContext } from "../support/lambda-context.js";

const STREAM = "tailor-events";
const TABLE = "tailor-profiles";
const BUCKET = "tailor-quarantine";
const encoder = new TextEncoder();

let stack: LocalStack;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "tailor-it-"));
  stack = await startLocalStack({
    dataDir,
    fresh: true,
    ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0, api: 0 },
    log: () => undefined,
    env: { POWERTOOLS_METRICS_DISABLED: "true", POWERTOOLS_LOG_LEVEL: "ERROR" },
  });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

function track(
  customerId: string,
  id: string,
  event: string,
  properties: Record<string, unknown>,
  ago: number,
) {
  return { type: "track", event, messageId: id, userId: customerId, timestamp: minutesAgo(ago), properties };
}

async function put(records: { key: string; data: Uint8Array | object }[]): Promise<void> {
  const kinesis = new KinesisClient({});
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: STREAM,
      Records: records.map(({ key, data }) => ({
        PartitionKey: key,
        Data: data instanceof Uint8Array ? data : encoder.encode(JSON.stringify(data)),
      })),
    }),
  );
  expect(out.FailedRecordCount ?? 0).toBe(0);
}

async function profile(customerId: string): Promise<Record<string, unknown> | undefined> {
  const out = await new DynamoDBClient({}).send(
    new GetItemCommand({
      TableName: TABLE,
      Key: { pk: { S: profileKey(customerId) } },
      ConsistentRead: true,
    }),
  );
  return out.Item === undefined ? undefined : unmarshall(out.Item);
}

async function quarantined(): Promise<Record<string, unknown>[]> {
  const s3 = new S3Client({});
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "quarantine/" }));
  return Promise.all(
    (listed.Contents ?? []).map(async ({ Key }) => {
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key }));
      return JSON.parse((await object.Body?.transformToString()) ?? "{}");
    }),
  );
}

describe("events on Kinesis become profiles in DynamoDB (embedded local stack)", () => {
  it("folds identify, product and order events put by an app into the customer's profile", async () => {
    await put([
      {
        key: "it-ada",
        data: {
          type: "identify",
          messageId: "it-ada-1",
          userId: "it-ada",
          timestamp: minutesAgo(30),
          traits: { email: "  Ada.Lovelace@Example.COM ", first_name: "Ada" },
        },
      },
      {
        key: "it-ada",
        data: track(
          "it-ada",
          "it-ada-2",
          "Product Viewed",
          { product_id: "p-1", category: "books", price: 12.5 },
          20,
        ),
      },
      {
        key: "it-ada",
        data: track(
          "it-ada",
          "it-ada-3",
          "Product Added",
          { product_id: "p-1", category: "books", price: 12.5, quantity: 2 },
          15,
        ),
      },
      {
        key: "it-ada",
        data: track(
          "it-ada",
          "it-ada-4",
          "Order Completed",
          {
            order_id: "o-1",
            total: 25,
            revenue: 25,
            currency: "USD",
            products: [{ product_id: "p-1", category: "books", price: 12.5, quantity: 2 }],
          },
          10,
        ),
      },
    ]);
    await stack.waitUntilIdle();

    const ada = await profile("it-ada");
    expect(ada).toBeDefined();
    const text = JSON.stringify(ada);
    expect(text).toContain("ada.lovelace@example.com");
    expect(text).not.toContain("Ada.Lovelace@Example.COM");
    // One write for the batch, one clearing the send-intent outbox (the add and the order started journeys).
    expect(ada?.version).toBe(2);
    expect(ada?.oi).toBeUndefined();
    expect(text).toContain("2500");
  });

  it("quarantines a malformed record with its bytes and reason while the good ones land", async () => {
    const notJson = encoder.encode('{"type":"track","userId":"it-bob"');
    await put([
      {
        key: "it-bob",
        data: track("it-bob", "it-bob-1", "Product Viewed", { product_id: "p-2", category: "toys" }, 5),
      },
      { key: "it-bob", data: notJson },
      {
        key: "it-bob",
        data: track("it-bob", "it-bob-2", "Product Viewed", { product_id: "p-3", price: "abc" }, 4),
      },
      {
        key: "it-bob",
        data: track("it-bob", "it-bob-3", "Product Viewed", { product_id: "p-4", category: "toys" }, 3),
      },
    ]);
    await stack.waitUntilIdle();

    const bob = await profile("it-bob");
    expect(JSON.stringify(bob)).toContain("p-4");
    const records = await quarantined();
    const raw = records.map((r) => Buffer.from(String(r.rawBase64), "base64").toString("utf8"));
    expect(raw).toContain('{"type":"track","userId":"it-bob"');
    const priced = records.find((r) => String(r.reason).includes("properties.price"));
    expect(priced?.sequenceNumber).toEqual(expect.any(String));
    expect(JSON.parse(Buffer.from(String(priced?.rawBase64), "base64").toString("utf8")).messageId).toBe(
      "it-bob-2",
    );
  });

  it("de-aggregates a KPL record, gunzips a gzip record and splits an array record, each event on its own", async () => {
    const view = (id: string, product: string) =>
      track("it-kpl", id, "Product Viewed", { product_id: product, category: "books" }, 6);
    const [aggregate] = await kplAggregate([
      { partitionKey: "it-kpl", data: JSON.stringify(view("it-kpl-1", "p-k1")) },
      { partitionKey: "it-kpl", data: JSON.stringify({ ...view("it-kpl-2", "p-k2"), userId: 7.5 }) },
      { partitionKey: "it-kpl", data: JSON.stringify(view("it-kpl-3", "p-k3")) },
    ]);
    // What RudderStack's node SDK sends: no messageId here, no timestamp (originalTimestamp and sentAt).
    const { messageId: _, timestamp: __, ...bare } = view("", "p-k4");
    const gzipped = gzipSync(
      JSON.stringify({ ...bare, originalTimestamp: minutesAgo(5), sentAt: minutesAgo(5) }),
    );
    const array = [
      view("it-kpl-5", "p-k5"),
      { type: "screen", messageId: "it-kpl-6", userId: "it-kpl", name: "Cart" },
    ];
    await put([
      { key: "it-kpl", data: aggregate ?? new Uint8Array() },
      { key: "it-kpl", data: gzipped },
      { key: "it-kpl", data: array },
    ]);
    await stack.waitUntilIdle();

    const kpl = await profile("it-kpl");
    // The gzip event was sent as soon as it happened (sentAt = originalTimestamp): it takes the arrival time,
    // so it is the newest view.
    expect(kpl?.rv).toEqual(["p-k4", "p-k5", "p-k3", "p-k1"]);
    expect(kpl?.k).toMatchObject({ pv: { n: 4 }, sn: { n: 1 } });
    const invalid = (await quarantined()).filter((r) => r.partitionKey === "it-kpl");
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toMatchObject({ subSequenceNumber: 1, reason: expect.stringContaining("userId") });
  });

  it("leaves profiles identical when the same records are put again or a batch is redelivered", async () => {
    const batch = [
      {
        key: "it-cy",
        data: track("it-cy", "it-cy-1", "Product Viewed", { product_id: "p-5", category: "garden" }, 9),
      },
      {
        key: "it-cy",
        data: track(
          "it-cy",
          "it-cy-2",
          "Product Added",
          { product_id: "p-5", category: "garden", price: 3 },
          8,
        ),
      },
      {
        key: "it-dee",
        data: track("it-dee", "it-dee-1", "Product Viewed", { product_id: "p-6", category: "pets" }, 7),
      },
    ];
    await put(batch);
    await stack.waitUntilIdle();
    const before = [await profile("it-cy"), await profile("it-dee")];

    // A producer retries PutRecords: same messageIds, new sequence numbers.
    await put(batch);
    await stack.waitUntilIdle();
    // Lambda redelivers a batch it already handed over.
    const { handler } = await import("#functions/ingest/handler.js");
    const redelivered: KinesisStreamEvent = {
      Records: batch.map(({ key, data }, i) => ({
        eventSource: "aws:kinesis",
        eventVersion: "1.0",
        eventID: `shardId-000000000000:9${i}`,
        eventName: "aws:kinesis:record",
        invokeIdentityArn: "arn:aws:iam::000000000000:role/local",
        awsRegion: "us-east-1",
        eventSourceARN: "arn:aws:kinesis:us-east-1:000000000000:stream/tailor-events",
        kinesis: {
          kinesisSchemaVersion: "1.0",
          partitionKey: key,
          sequenceNumber: `9${i}`,
          data: Buffer.from(JSON.stringify(data)).toString("base64"),
          approximateArrivalTimestamp: Date.now() / 1000,
        },
      })),
    };
    const context = lambdaContext("tailor-ingest", "it-redelivery", 30_000);
    const response = await handler(redelivered, context);

    expect(response).toEqual({ batchItemFailures: [] });
    expect([await profile("it-cy"), await profile("it-dee")]).toEqual(before);
  });
});
