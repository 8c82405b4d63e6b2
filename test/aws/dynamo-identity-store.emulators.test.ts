import { type DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countProfiles } from "#cli/stack-counts.js";
import { type IngestRecord, ingestBatch } from "#shared/app/ingest-batch.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { emailKey, profileKey } from "#shared/aws/profile-key.js";
import { emptyProfile } from "#shared/domain/profile/index.js";
import { InMemoryQuarantine } from "../fakes/in-memory-stores.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";

/**
 * The identity map as the DynamoDB profile store keeps it, on dynalite: forwards at merged ids' keys (conditional on
 * the version they replace), the email index, and the reads that must not mistake either for a profile.
 */

const NOW = Date.UTC(2026, 11, 1, 12);
const encoder = new TextEncoder();
let dynamodb: DynamoDBClient;
let stop: () => Promise<void>;
let store: DynamoProfileStore;
let sequence = 0;

beforeAll(async () => {
  ({ client: dynamodb, stop } = await startDynalite());
  store = new DynamoProfileStore({
    client: dynamodb,
    tableName: await createTable(dynamodb, "profiles", "pk"),
  });
});

afterAll(async () => {
  await stop?.();
});

function record(event: Record<string, unknown>): IngestRecord {
  sequence++;
  return {
    sequenceNumber: String(sequence).padStart(12, "0"),
    partitionKey: String(event.userId ?? event.anonymousId),
    shardId: "shardId-000000000000",
    data: encoder.encode(JSON.stringify({ messageId: `m-${sequence}`, timestamp: NOW - 60_000, ...event })),
    approximateArrivalTimestamp: NOW - 1_000,
  };
}

const ingest = (events: Record<string, unknown>[]) =>
  ingestBatch(
    {
      profiles: store,
      tombstones: store,
      identities: store,
      quarantine: new InMemoryQuarantine(),
      clock: { now: () => NOW },
    },
    events.map(record),
  );

async function rawItem(key: string) {
  return (
    await dynamodb.send(
      new GetItemCommand({ TableName: "profiles", Key: { pk: { S: key } }, ConsistentRead: true }),
    )
  ).Item;
}

describe("the identity map in the profiles table", () => {
  it("merges an anonymous visitor into the customer she becomes, leaving a forward at her id's key", async () => {
    const anon = { anonymousId: "visitor-1" };
    await ingest([
      {
        ...anon,
        type: "track",
        event: "Product Added",
        properties: { product_id: "p-1", price: 10, currency: "USD" },
      },
    ]);
    const result = await ingest([
      { userId: "u-1", ...anon, type: "identify", traits: { email: "u1@example.com" } },
    ]);
    expect(result.summary.merges).toBe(1);
    expect(result.failed.size).toBe(0);

    const known = await store.get("u-1");
    expect(known?.profile.ct?.i.map((line) => line.p)).toEqual(["p-1"]);
    expect(known?.profile.im).toEqual([expect.objectContaining({ i: "visitor-1", h: "identify", v: 1 })]);
    expect(await store.get("visitor-1")).toBeUndefined();
    const forward = await rawItem(profileKey("visitor-1"));
    expect(forward?.fw?.S).toBe("u-1");
    expect(forward?.pend).toBeUndefined(); // the snapshot is dropped once the customer holds it
    expect((await rawItem(emailKey("U1@example.com")))?.owner?.S).toBe("u-1");

    const resolved = await store.resolveIds(["visitor-1", "u-1"]);
    expect(resolved.forwards.get("visitor-1")?.to).toBe("u-1");
    expect(resolved.forwards.get("visitor-1")?.link).toEqual(expect.objectContaining({ i: "visitor-1" }));
    expect([...resolved.profiles.keys()]).toEqual(["u-1"]);
  });

  it("keeps forwards and the email index out of scans and counts", async () => {
    const scanned: string[] = [];
    for await (const stored of store.scan({ segment: 0, totalSegments: 1 }))
      scanned.push(stored.profile.customerId);
    expect(scanned).toEqual(["u-1"]);
    expect(await countProfiles(dynamodb, "profiles")).toBe(1);
  });

  it("writes a forward only over the version it read: a writer that came first wins", async () => {
    await store.put(emptyProfile("visitor-2", NOW), undefined);
    const stale = await store.get("visitor-2");
    if (stale === undefined) throw new Error("no profile");
    const link = { i: "visitor-2", h: "identify" as const, at: NOW, m: "m-x", v: 1 };
    expect((await store.put({ ...stale.profile }, stale)).ok).toBe(true); // another batch writes version 2
    expect(await store.retire("visitor-2", stale, "u-2", NOW, link)).toBe(false);
    const current = await store.get("visitor-2");
    expect(await store.retire("visitor-2", current, "u-2", NOW, link)).toBe(true);
    // Once forwarded, no writer of the old profile can bring it back.
    expect((await store.put({ ...stale.profile }, current)).ok).toBe(false);
    expect((await store.put(emptyProfile("visitor-2", NOW), undefined)).ok).toBe(false);
    expect((await store.resolveIds(["visitor-2"])).forwards.get("visitor-2")?.pending?.profile.version).toBe(
      2,
    );
    await store.settleForward("visitor-2", "u-2");
    expect((await store.resolveIds(["visitor-2"])).forwards.get("visitor-2")?.pending).toBeUndefined();
  });

  it("claims, hands over and releases an email address", async () => {
    const anonymous = (id: string) => ({ id, known: false });
    expect(await store.claimEmail("Lead@Example.com", anonymous("lead-anon"))).toBe("lead-anon");
    expect(await store.claimEmail("lead@example.com", anonymous("someone-else"))).toBe("lead-anon");
    expect(await store.emailOwner("lead@example.com")).toEqual({ id: "lead-anon", known: false });
    expect(await store.claimEmail("lead@example.com", { id: "u-3", known: true }, "lead-anon")).toBe("u-3");
    expect(await store.emailOwner("lead@example.com")).toEqual({ id: "u-3", known: true });
    await store.releaseEmail("lead@example.com", "lead-anon"); // not the holder: nothing happens
    expect((await store.emailOwner("lead@example.com"))?.id).toBe("u-3");
    await store.releaseEmail("lead@example.com", "u-3");
    expect(await store.emailOwner("lead@example.com")).toBeUndefined();
  });

  it("erases a forward whose customer was erased, with its snapshot", async () => {
    await store.put(emptyProfile("visitor-4", NOW), undefined);
    const stored = await store.get("visitor-4");
    await store.retire("visitor-4", stored, "u-4", NOW, {
      i: "visitor-4",
      h: "alias",
      at: NOW,
      m: "m-y",
      v: 1,
    });
    await store.eraseForward("visitor-4", "someone-else", NOW); // not its customer: kept
    expect((await rawItem(profileKey("visitor-4")))?.fw?.S).toBe("u-4");
    await store.eraseForward("visitor-4", "u-4", NOW);
    const item = await rawItem(profileKey("visitor-4"));
    expect(item?.erasedAt?.N).toBe(String(NOW));
    expect(item?.pend).toBeUndefined();
  });
});
