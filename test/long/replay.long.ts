import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { replayCommand } from "#cli/replay-command.js";
import { handlerLoader, type LambdaHandler } from "#infra/local/handler-loader.js";
import type { LocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import type { Profile } from "#shared/domain/profile/index.js";
import { systemClock } from "#shared/ports.js";
import { tempDir } from "../local/helpers.js";
import { startTestStack, testStackEnv } from "../local/test-stack.js";
import { captureOutput } from "../support/capture-output.js";

/**
 * The replay test of issue 18: on the local stack, ingest fails for a while (a poison fault: its handler throws),
 * its batches go through their retries to the ingest dead-letter queue, then with ingest healthy again
 * `tailor replay` over the range the dead-letter messages name brings every event in from the raw event archive.
 * The customers' profiles then equal those of the same events for twin customers that never met the fault.
 */

const MINUTE = 60_000;
const CUSTOMERS = 6;
const encoder = new TextEncoder();

const temp = tempDir("tailor-e2e-replay-");
let stack: LocalStack;
let kinesis: KinesisClient;
let sqs: SQSClient;
let dynamodb: DynamoDBClient;

/** Whether ingest fails: its handler throws before doing anything, as a broken deploy or dependency would. */
let poisoned = false;
let realIngest: LambdaHandler | undefined;
const ingest: LambdaHandler = async (event, context) => {
  if (poisoned) throw new Error("poison: ingest is down");
  if (realIngest === undefined) {
    const spec = stack.plan.functions.find((fn) => fn.name === LOCAL_NAMES.ingestFunction);
    if (spec === undefined) throw new Error("no ingest function in the template");
    realIngest = await handlerLoader({ env: testStackEnv() })(spec);
    if (realIngest === undefined) throw new Error("ingest has no handler");
  }
  return realIngest(event, context);
};

/** A customer's traffic: browsing, a cart, an order, traits; `twin` makes the same events for another customer. */
function traffic(customer: string, start: number): Record<string, unknown>[] {
  const at = (minutes: number) => new Date(start + minutes * MINUTE).toISOString();
  const event = (n: number, body: Record<string, unknown>) => ({
    messageId: `${customer}-m${n}`,
    userId: customer,
    timestamp: at(n),
    ...body,
  });
  const product = (n: number) => ({
    product_id: `p-${n % 4}`,
    category: n % 2 === 0 ? "shoes" : "bags",
    price: 20 + n,
  });
  return [
    event(0, { type: "identify", traits: { first_name: "Ada", plan: "gold" } }),
    event(1, { type: "page", name: "Home" }),
    ...Array.from({ length: 6 }, (_, i) =>
      event(2 + i, { type: "track", event: "Product Viewed", properties: product(i) }),
    ),
    event(8, { type: "track", event: "Product Added", properties: { ...product(1), quantity: 2 } }),
    event(9, { type: "track", event: "Product Added", properties: { ...product(2), quantity: 1 } }),
    event(10, { type: "track", event: "Product Removed", properties: { ...product(2), quantity: 1 } }),
    event(11, { type: "track", event: "Checkout Started", properties: { revenue: 42, currency: "USD" } }),
    event(12, {
      type: "track",
      event: "Order Completed",
      properties: {
        order_id: "o-1",
        revenue: 42,
        currency: "USD",
        products: [{ ...product(1), quantity: 2 }],
      },
    }),
    event(13, { type: "identify", traits: { plan: "platinum" } }),
    ...Array.from({ length: 4 }, (_, i) =>
      event(14 + i, { type: "track", event: "Product Viewed", properties: product(i + 5) }),
    ),
    // No messageId: ingest derives one from the record's bytes, the same when replayed.
    { type: "track", userId: customer, event: "Newsletter Opened", timestamp: at(18) },
  ];
}

async function put(events: readonly Record<string, unknown>[]): Promise<void> {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: LOCAL_NAMES.eventStream,
      Records: events.map((e) => ({
        PartitionKey: String(e.userId),
        Data: encoder.encode(JSON.stringify(e)),
      })),
    }),
  );
  expect(out.FailedRecordCount ?? 0).toBe(0);
}

interface BatchInfo {
  readonly shardId: string;
  readonly batchSize: number;
  readonly approximateArrivalOfFirstRecord: string;
  readonly approximateArrivalOfLastRecord: string;
}

/** Every on-failure record in the ingest dead-letter queue (taken off it). */
async function deadLetters(): Promise<BatchInfo[]> {
  const { QueueUrl } = await sqs.send(
    new GetQueueUrlCommand({ QueueName: LOCAL_NAMES.ingestDeadLetterQueue }),
  );
  const infos: BatchInfo[] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) return infos;
    for (const message of messages) {
      const body: unknown = JSON.parse(message.Body ?? "{}");
      if (typeof body === "object" && body !== null && "KinesisBatchInfo" in body) {
        const info = body.KinesisBatchInfo;
        if (typeof info === "object" && info !== null && "batchSize" in info) {
          infos.push({
            shardId: String(Reflect.get(info, "shardId")),
            batchSize: Number(info.batchSize),
            approximateArrivalOfFirstRecord: String(Reflect.get(info, "approximateArrivalOfFirstRecord")),
            approximateArrivalOfLastRecord: String(Reflect.get(info, "approximateArrivalOfLastRecord")),
          });
        }
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}

/**
 * A profile as compared: without what depends on when and in how many writes it was folded (the version, the
 * hour buckets of the dedup memory: only how many ids it remembers), with the customer's id replaced, so a
 * customer and its twin compare equal when the same events made them. The recent products (`pc`) compare by
 * product: their order is the order the fold applied their events in ("most recently active first"), and the
 * replayed events of the outage were applied after the traffic that followed it (see the report in the test).
 */
function comparable(profile: Profile | undefined, customer: string): unknown {
  if (profile === undefined) return undefined;
  const { version: _version, dd, pc, ...rest } = profile;
  const remembered = Object.values(dd).reduce((sum, hashes) => sum + hashes.length / 8, 0);
  const products = [...(pc ?? [])].sort((a, b) => a.i.localeCompare(b.i));
  return { ...JSON.parse(JSON.stringify(rest).replaceAll(customer, "CUSTOMER")), remembered, products };
}

beforeAll(async () => {
  stack = await startTestStack({
    dataDir: temp.dir,
    // The system clock: the dead-letter messages and the archive date records by the same arrival times.
    clock: systemClock,
    handlers: { [LOCAL_NAMES.ingestFunction]: ingest },
    pollerTiming: { retryDelayMs: 1, idlePollMaxMs: 50 },
  });
  kinesis = new KinesisClient({});
  sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  dynamodb = new DynamoDBClient({});
}, 60_000);

afterAll(async () => {
  kinesis?.destroy();
  sqs?.destroy();
  dynamodb?.destroy();
  await stack?.stop();
  temp.remove();
});

describe("replay after an ingest outage", () => {
  it("brings every event of the failed batches in: profiles equal those of a run without the fault", async () => {
    const start = Date.now() - 60 * MINUTE;
    const customers = Array.from({ length: CUSTOMERS }, (_, i) => `replay-c${i}`);
    const events = customers.map((c) => traffic(c, start));
    const phase = (from: number, to: number) => events.flatMap((list) => list.slice(from, to));

    // GIVEN traffic before the outage, during it (ingest throws: every batch retried, then dead-lettered) and after
    await put(phase(0, 6));
    await stack.waitUntilIdle();
    poisoned = true;
    const during = phase(6, 15);
    await put(during);
    await stack.waitUntilIdle();
    poisoned = false;
    await put(phase(15, 19));
    await stack.waitUntilIdle();

    // THEN the failure queue holds the failed batches, every record of the outage in one of them
    const failed = await deadLetters();
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.reduce((sum, info) => sum + info.batchSize, 0)).toBe(during.length);
    const store = new DynamoProfileStore({ client: dynamodb, tableName: LOCAL_NAMES.profileTable });
    const before = await store.get(customers[0] ?? "");
    expect(before?.profile.o?.n ?? 0).toBe(0); // the order came during the outage

    // WHEN tailor replay runs over the range the dead-letter messages name
    const from = failed.map((f) => f.approximateArrivalOfFirstRecord).sort()[0] ?? "";
    const to =
      failed
        .map((f) => f.approximateArrivalOfLastRecord)
        .sort()
        .at(-1) ?? "";
    const replay = async () => {
      const run = await captureOutput(() =>
        replayCommand(["--from", from, "--to", to, "--data-dir", temp.dir, "--json"]),
      );
      expect(run.err).toBe("");
      expect(run.code).toBe(0);
      const summary: unknown = JSON.parse(run.out);
      expect(summary).toMatchObject({ read: during.length, put: during.length, badLines: 0, skipped: 0 });
      await stack.waitUntilIdle();
    };
    await replay();

    // AND twins of the customers get the same events with no fault, in the same three puts
    const twins = customers.map((c) => `${c}-twin`);
    const twinEvents = twins.map((t) => traffic(t, start));
    for (const [from, to] of [
      [0, 6],
      [6, 15],
      [15, 19],
    ] as const) {
      await put(twinEvents.flatMap((list) => list.slice(from, to)));
      await stack.waitUntilIdle();
    }
    expect(await deadLetters()).toEqual([]);

    // THEN every customer's profile equals its twin's
    for (const [i, customer] of customers.entries()) {
      const twin = twins[i] ?? "";
      const mine = comparable((await store.get(customer))?.profile, customer);
      const theirs = comparable((await store.get(twin))?.profile, twin);
      expect(mine).toBeDefined();
      expect(mine).toEqual(theirs);
    }
    expect((await store.get(customers[0] ?? ""))?.profile.o?.n).toBe(1);

    // AND replaying the same range again changes nothing: ingest applies each messageId once
    const snapshot = await Promise.all(
      customers.map(async (c) => comparable((await store.get(c))?.profile, c)),
    );
    await replay();
    const again = await Promise.all(customers.map(async (c) => comparable((await store.get(c))?.profile, c)));
    expect(again).toEqual(snapshot);
  }, 90_000);
});
