import { type DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSegmentStore } from "#shared/aws/dynamo-segment-store.js";
import { DynamoTimers } from "#shared/aws/dynamo-timers.js";
import { profileKey } from "#shared/aws/profile-key.js";
import { SqsTransitionPublisher } from "#shared/aws/sqs-transition-publisher.js";
import { emptyProfile } from "#shared/domain/profile/index.js";
import type { SegmentTransition } from "#shared/domain/segments/contracts.js";
import { createTable, startDynaliteAndSqs } from "../support/dynamo-table.js";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 23, 12);
const NONE = { transitions: [], intents: [], counts: [] };

let dynamodb: DynamoDBClient;
let sqs: SQSClient;
let sqsEndpoint: string;
let stop: (() => Promise<void>) | undefined;
let tables = 0;

beforeAll(async () => {
  ({ dynamodb, sqs, sqsEndpoint, stop } = await startDynaliteAndSqs());
});

afterAll(async () => {
  await stop?.();
});

function table(hash: string, range?: string): Promise<string> {
  return createTable(dynamodb, `t${++tables}-${hash}`, hash, range);
}

describe("DynamoTimers", () => {
  it("returns due timers oldest first, never ones due later, and forgets completed ones", async () => {
    // Prepare
    const timers = new DynamoTimers({ client: dynamodb, tableName: await table("b", "k") });
    await timers.schedule("c-late", T0 + 5 * MINUTE);
    await timers.schedule("c-2", T0 - 3 * MINUTE);
    await timers.schedule("c-1", T0 - 10 * MINUTE);
    await timers.schedule("c-now", T0 + 10_000);
    await timers.schedule("c-3", T0 + 5_000);

    // Act
    const due = await timers.due(T0 + 5_000, 100);

    // Assess
    expect(due).toEqual([
      { customerId: "c-1", dueAt: T0 - 10 * MINUTE },
      { customerId: "c-2", dueAt: T0 - 3 * MINUTE },
      { customerId: "c-3", dueAt: T0 + 5_000 },
    ]);
    for (const timer of due) await timers.complete(timer);
    expect(await timers.due(T0 + 5_000, 100)).toEqual([]);
    expect((await timers.due(T0 + 6 * MINUTE, 100)).map((t) => t.customerId)).toEqual(["c-now", "c-late"]);
  });

  it("keeps finding a timer that was not completed, and respects the limit", async () => {
    const timers = new DynamoTimers({ client: dynamodb, tableName: await table("b", "k") });
    for (let i = 0; i < 12; i++) await timers.schedule(`c-${i}`, T0 - 30 * MINUTE + i * MINUTE);

    const first = await timers.due(T0, 5);
    // Not completed: found again at the next poll, even though the cursor moved.
    const again = await timers.due(T0 + MINUTE, 5);

    expect(first.map((t) => t.customerId)).toEqual(["c-0", "c-1", "c-2", "c-3", "c-4"]);
    expect(again).toEqual(first);
    for (const timer of first) await timers.complete(timer);
    expect((await timers.due(T0 + MINUTE, 100)).map((t) => t.customerId)).toEqual([
      "c-5",
      "c-6",
      "c-7",
      "c-8",
      "c-9",
      "c-10",
      "c-11",
    ]);
  });

  it("moves its cursor past drained minutes, so later polls start later; a late timer is still found", async () => {
    const name = await table("b", "k");
    const timers = new DynamoTimers({ client: dynamodb, tableName: name });
    await timers.due(T0, 10);
    const cursor = async () => {
      const out = await dynamodb.send(
        new GetItemCommand({ TableName: name, Key: { b: { S: "cursor" }, k: { S: "cursor" } } }),
      );
      return Number(out.Item?.m?.N);
    };
    expect(await cursor()).toBe(Math.floor(T0 / MINUTE) - 1);

    await timers.due(T0 + 10 * MINUTE, 10);
    expect(await cursor()).toBe(Math.floor(T0 / MINUTE) + 9);

    // A timer for the minute just ended (a writer whose clock is a little behind) is still due.
    await timers.schedule("c-late-writer", T0 + 9 * MINUTE + 59_000);
    expect((await timers.due(T0 + 10 * MINUTE + 1000, 10)).map((t) => t.customerId)).toEqual([
      "c-late-writer",
    ]);
    // The cursor never moves back when an older poll finishes after a newer one.
    await timers.due(T0, 10);
    expect(await cursor()).toBeGreaterThanOrEqual(Math.floor(T0 / MINUTE) + 9);
  });

  it("jumps over long empty stretches by its minute index, and forgets drained minutes", async () => {
    const name = await table("b", "k");
    const timers = new DynamoTimers({ client: dynamodb, tableName: name });
    await timers.due(T0, 10);
    const writes = [
      await timers.schedule("c-1", T0 + 47 * 60 * MINUTE),
      await timers.schedule("c-2", T0 + 47 * 60 * MINUTE + 1),
    ];

    const due = await timers.due(T0 + 49 * 60 * MINUTE, 10);
    for (const timer of due) await timers.complete(timer);
    await timers.due(T0 + 49 * 60 * MINUTE, 10);

    // One index write for the minute, then one write per timer.
    expect(writes).toEqual([2, 1]);
    expect(due.map((t) => t.customerId)).toEqual(["c-1", "c-2"]);
    const index = await dynamodb.send(
      new QueryCommand({
        TableName: name,
        KeyConditionExpression: "b = :b",
        ExpressionAttributeValues: { ":b": { S: `idx#${Math.floor(T0 / MINUTE / 60) + 47}` } },
      }),
    );
    expect(index.Count).toBe(0);
  });

  it("spreads one minute's timers over shard partitions", async () => {
    const name = await table("b", "k");
    const timers = new DynamoTimers({ client: dynamodb, tableName: name, shards: 4 });
    for (let i = 0; i < 40; i++) await timers.schedule(`c-${i}`, T0 + 1000);

    const minute = Math.floor(T0 / MINUTE);
    const perShard = await Promise.all(
      [0, 1, 2, 3].map(async (shard) => {
        const out = await dynamodb.send(
          new QueryCommand({
            TableName: name,
            KeyConditionExpression: "b = :b",
            ExpressionAttributeValues: { ":b": { S: `${minute}#${shard}` } },
          }),
        );
        return out.Count ?? 0;
      }),
    );

    expect(perShard.reduce((a, b) => a + b, 0)).toBe(40);
    expect(perShard.filter((n) => n > 0).length).toBeGreaterThanOrEqual(3);
    expect(await timers.due(T0 + 1000, 100)).toHaveLength(40);
  });
});

describe("DynamoSegmentStore", () => {
  it("sums sharded counters, with one write per shard touched", async () => {
    const store = new DynamoSegmentStore({ client: dynamodb, tableName: await table("pk", "sk") });

    const writes = await store.addToSizes([
      ...Array.from({ length: 30 }, (_, i) => ({ segmentId: "a", customerId: `c-${i}`, delta: 1 })),
      { segmentId: "a", customerId: "c-0", delta: -1 },
      { segmentId: "b", customerId: "c-1", delta: 1 },
      { segmentId: "b", customerId: "c-1", delta: -1 },
    ]);
    const sizes = await store.sizes(["a", "b", "never"]);

    expect(sizes).toEqual([
      { segmentId: "a", size: 29, countedAt: undefined },
      { segmentId: "b", size: 0, countedAt: undefined },
      { segmentId: "never", size: 0, countedAt: undefined },
    ]);
    expect(writes).toBeGreaterThan(1);
    expect(writes).toBeLessThanOrEqual(16);
  });

  it("replaces drifted shards with the exact size and when it was counted", async () => {
    const store = new DynamoSegmentStore({ client: dynamodb, tableName: await table("pk", "sk") });
    await store.addToSizes(
      Array.from({ length: 20 }, (_, i) => ({ segmentId: "a", customerId: `x-${i}`, delta: 1 })),
    );

    await store.putExactSizes(new Map([["a", 7]]), T0);
    await store.addToSizes([{ segmentId: "a", customerId: "late", delta: 1 }]);

    expect(await store.sizes(["a"])).toEqual([{ segmentId: "a", size: 8, countedAt: T0 }]);
  });

  it("stores and reads the RFM thresholds", async () => {
    const store = new DynamoSegmentStore({ client: dynamodb, tableName: await table("pk", "sk") });
    const thresholds = {
      recencyDays: [3, 10, 30, 90],
      frequency: [1, 1, 2, 4],
      monetary: [1000, 2500, 5000, 12000],
      computedAt: T0,
      population: 420,
    } as const;

    expect(await store.rfmThresholds()).toBeUndefined();
    await store.putRfmThresholds(thresholds);

    expect(await store.rfmThresholds()).toEqual(thresholds);
    // with the monetary basis they were computed on
    await store.putRfmThresholds({ ...thresholds, monetaryBasis: "revenue" });
    expect((await store.rfmThresholds())?.monetaryBasis).toBe("revenue");
  });
});

function transition(customerId: string, n: number): SegmentTransition {
  return {
    id: `${customerId}#s-${n}#entered#${T0}`,
    customerId,
    segmentId: `s-${n}`,
    kind: "entered",
    at: T0,
    version: 1,
  };
}

describe("DynamoProfileStore outbox and scan", () => {
  it("clears published transitions only if the version is unchanged, bumping it", async () => {
    const profiles = new DynamoProfileStore({ client: dynamodb, tableName: await table("pk") });
    const profile = { ...emptyProfile("c-1", T0), ob: [transition("c-1", 1), transition("c-1", 2)] };
    const put = await profiles.put(profile, undefined);
    if (!put.ok) throw new Error("put failed");

    const stale = await profiles.clearOutbox("c-1", put.version + 1, NONE, put.itemBytes);
    const partial = await profiles.clearOutbox(
      "c-1",
      put.version,
      { transitions: [transition("c-1", 2)], intents: [], counts: [] },
      put.itemBytes,
    );
    const afterPartial = await profiles.get("c-1");
    const full = await profiles.clearOutbox("c-1", put.version + 1, NONE, put.itemBytes);
    const afterFull = await profiles.get("c-1");

    expect(stale).toEqual({ ok: false, reason: "conflict" });
    expect(partial).toMatchObject({ ok: true, version: put.version + 1 });
    expect(afterPartial?.profile.ob).toEqual([transition("c-1", 2)]);
    expect(full.ok).toBe(true);
    expect(afterFull?.profile.ob).toBeUndefined();
    expect(afterFull?.profile.version).toBe(put.version + 2);
  });

  it("scans every profile exactly once over parallel slices", async () => {
    const name = await table("pk");
    const profiles = new DynamoProfileStore({ client: dynamodb, tableName: name });
    const ids = Array.from({ length: 60 }, (_, i) => `c-${i}`);
    await Promise.all(
      ids.map((id) =>
        dynamodb.send(
          new PutItemCommand({
            TableName: name,
            Item: { ...marshall({ ...emptyProfile(id, T0), version: 1 }), pk: { S: profileKey(id) } },
          }),
        ),
      ),
    );

    const seen: string[] = [];
    for (let segment = 0; segment < 3; segment++) {
      for await (const stored of profiles.scan({ segment, totalSegments: 3 }))
        seen.push(stored.profile.customerId);
    }

    expect(seen.sort()).toEqual([...ids].sort());
  });

  it("skips tombstones in a scan, reports them on a batch load, and fails every write of an erased profile", async () => {
    const profiles = new DynamoProfileStore({ client: dynamodb, tableName: await table("pk") });
    const first = await profiles.put(emptyProfile("gone", T0), undefined);
    await profiles.put(emptyProfile("kept", T0), undefined);
    if (!first.ok) throw new Error("put failed");
    const loaded = await profiles.get("gone");

    const erased = await profiles.erase("gone", T0 + 1, "erased");
    const again = await profiles.erase("gone", T0 + 2, "erased");

    expect(erased).toEqual({ tombstone: { erasedAt: T0 + 1, kind: "erased" }, replaced: true });
    expect(again).toEqual({ tombstone: { erasedAt: T0 + 1, kind: "erased" }, replaced: false });
    expect(await profiles.put(emptyProfile("gone", T0), loaded)).toEqual({ ok: false, reason: "conflict" });
    expect(await profiles.put(emptyProfile("gone", T0), undefined)).toEqual({
      ok: false,
      reason: "conflict",
    });
    expect(await profiles.clearOutbox("gone", first.version, NONE, first.itemBytes)).toEqual({
      ok: false,
      reason: "conflict",
    });
    expect(await profiles.get("gone")).toBeUndefined();
    const both = await profiles.loadWithTombstones(["gone", "kept", "never"]);
    expect([...both.profiles.keys()]).toEqual(["kept"]);
    expect([...both.erased]).toEqual(["gone"]);
    const seen: string[] = [];
    for await (const stored of profiles.scan({ segment: 0, totalSegments: 1 }))
      seen.push(stored.profile.customerId);
    expect(seen).toEqual(["kept"]);
    expect(await profiles.lift("kept")).toBeUndefined(); // a profile is never lifted away
    expect(await profiles.lift("gone")).toEqual({ erasedAt: T0 + 1, kind: "erased" });
    expect(await profiles.put(emptyProfile("gone", T0), undefined)).toMatchObject({ ok: true });
  });

  it("keys each customer by a hash in its own namespace: a forged `tomb#…` or `c#…` id is just another customer", async () => {
    const profiles = new DynamoProfileStore({ client: dynamodb, tableName: await table("pk") });
    await profiles.put(emptyProfile("victim@example.com", T0), undefined);
    for (const forged of [
      `tomb#${profileKey("victim@example.com").slice(2)}`,
      profileKey("victim@example.com"),
    ]) {
      const put = await profiles.put(emptyProfile(forged, T0), undefined);
      expect(put).toMatchObject({ ok: true });
      await profiles.erase(forged, T0, "erased");
    }
    expect((await profiles.get("victim@example.com"))?.profile.customerId).toBe("victim@example.com");
    expect(await profiles.tombstone("victim@example.com")).toBeUndefined();
  });
});

describe("SqsTransitionPublisher", () => {
  it("sends every transition as one JSON message, in batches of ten", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "transitions-test" }));
    if (QueueUrl === undefined) throw new Error("no queue url");
    const publisher = new SqsTransitionPublisher({ client: sqs, queueUrl: QueueUrl });
    const sent = Array.from({ length: 23 }, (_, i) => transition(`c-${i}`, i));

    const accepted = await publisher.publish(sent);

    expect([...accepted].sort()).toEqual(sent.map((t) => t.id).sort());
    const received: unknown[] = [];
    for (let i = 0; i < 10 && received.length < 23; i++) {
      const out = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      for (const message of out.Messages ?? []) received.push(JSON.parse(message.Body ?? "null"));
    }
    expect(received).toHaveLength(23);
    expect(received).toEqual(expect.arrayContaining(sent));
  });

  it("throws a retryable error when the queue does not exist", async () => {
    const publisher = new SqsTransitionPublisher({
      client: sqs,
      queueUrl: `${sqsEndpoint}/000000000000/missing-queue`,
    });

    await expect(publisher.publish([transition("c-1", 1)])).rejects.toMatchObject({ retryable: true });
  });
});

// Keeps `unmarshall` honest about what the store wrote: a plain attribute check.
describe("profile items", () => {
  it("hold no outbox attribute after a full clear", async () => {
    const name = await table("pk");
    const profiles = new DynamoProfileStore({ client: dynamodb, tableName: name });
    const put = await profiles.put({ ...emptyProfile("c-9", T0), ob: [transition("c-9", 1)] }, undefined);
    if (!put.ok) throw new Error("put failed");
    await profiles.clearOutbox("c-9", put.version, NONE, put.itemBytes);

    const out = await dynamodb.send(
      new GetItemCommand({ TableName: name, Key: { pk: { S: profileKey("c-9") } } }),
    );

    expect(out.Item?.customerId).toEqual({ S: "c-9" });
    expect(Object.keys(unmarshall(out.Item ?? {}))).not.toContain("ob");
  });
});
