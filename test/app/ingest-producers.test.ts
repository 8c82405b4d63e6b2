import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { describeProfile } from "#cli/profile-summary.js";
import { type IngestDeps, type IngestRecord, ingestBatch } from "#shared/app/ingest-batch.js";
import { userRecordsOf } from "#shared/aws/kinesis-user-records.js";
import { KIND_CODES } from "#shared/domain/profile/index.js";
import { InMemoryProfileStore, InMemoryQuarantine } from "../fakes/in-memory-stores.js";
import { kplAggregate } from "../support/kpl-aggregate.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const ARRIVED = NOW - 1_000;
const SHARD = "shardId-000000000000";
const encoder = new TextEncoder();
let sequence = 0;

/** A stream record holding `data`, as the handler hands it over (before de-aggregation). */
function streamRecord(data: Uint8Array | string, partitionKey = "c-1"): IngestRecord {
  sequence++;
  return {
    sequenceNumber: String(sequence).padStart(12, "0"),
    partitionKey,
    shardId: SHARD,
    data: typeof data === "string" ? encoder.encode(data) : data,
    approximateArrivalTimestamp: ARRIVED,
  };
}

const json = (value: unknown) => JSON.stringify(value);

function track(customerId: string, event: string, properties: Record<string, unknown>, extra = {}) {
  return {
    type: "track",
    event,
    messageId: `${customerId}-${event}-${json(properties)}`,
    userId: customerId,
    timestamp: new Date(NOW - 60_000).toISOString(),
    properties,
    ...extra,
  };
}

const viewed = (customerId: string, productId: string) =>
  track(customerId, "Product Viewed", { product_id: productId, category: "books" });

function setup() {
  const profiles = new InMemoryProfileStore();
  const quarantine = new InMemoryQuarantine();
  return { profiles, quarantine, deps: { profiles, quarantine, clock: { now: () => NOW } } };
}

/** What the ingest handler does: each Lambda record → its user records → one batch. */
function ingest(deps: IngestDeps, records: readonly IngestRecord[]) {
  return ingestBatch(deps, records.flatMap(userRecordsOf));
}

function views(profiles: InMemoryProfileStore, customerId: string): number | undefined {
  return profiles.items.get(customerId)?.profile.k[KIND_CODES.product_viewed]?.n;
}

describe("KPL-aggregated records", () => {
  it("folds each user record on its own; the invalid one is quarantined alone with its raw bytes", async () => {
    // Prepare: five user records, two customers, one broken, aggregated by the awslabs library.
    const { deps, profiles, quarantine } = setup();
    const broken = json({ ...viewed("c-2", "p-9"), properties: { product_id: "p-9", price: "abc" } });
    const users = [
      { partitionKey: "c-1", data: json(viewed("c-1", "p-1")) },
      { partitionKey: "c-2", data: json(viewed("c-2", "p-2")) },
      { partitionKey: "c-2", data: broken },
      { partitionKey: "c-1", data: json(viewed("c-1", "p-3")) },
      { partitionKey: "c-2", data: json(viewed("c-2", "p-4")) },
    ];
    const [aggregated, ...more] = await kplAggregate(users);
    expect(more).toHaveLength(0);
    if (aggregated === undefined) throw new Error("no aggregate");
    const record = streamRecord(aggregated, "c-1");

    // Act
    const { failed, summary } = await ingest(deps, [record]);

    // Assess
    expect(failed.size).toBe(0);
    expect(summary).toMatchObject({ records: 5, events: 4, quarantined: 1, profilesWritten: 2 });
    expect(views(profiles, "c-1")).toBe(2);
    expect(views(profiles, "c-2")).toBe(2);
    expect(quarantine.records).toHaveLength(1);
    const [kept] = quarantine.records;
    expect(kept).toMatchObject({
      sequenceNumber: record.sequenceNumber,
      subSequenceNumber: 2,
      partitionKey: "c-2",
      reason: 'properties.price: expected a number ≥ 0 (got "abc")',
    });
    expect(new TextDecoder().decode(kept?.raw)).toBe(broken);
  });

  it("quarantines a corrupt aggregate whole, with the reason", async () => {
    const { deps, profiles, quarantine } = setup();
    const [aggregated] = await kplAggregate([{ partitionKey: "c-1", data: json(viewed("c-1", "p-1")) }]);
    const corrupt = Buffer.from(aggregated ?? []);
    corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] ?? 0) ^ 0xff; // the MD5 no longer matches

    const { failed, summary } = await ingest(deps, [streamRecord(corrupt)]);

    expect(failed.size).toBe(0);
    expect(summary).toMatchObject({ events: 0, quarantined: 1 });
    expect(profiles.items.size).toBe(0);
    expect(quarantine.records[0]?.reason).toMatch(/^KPL-aggregated record is corrupt: /);
    expect(quarantine.records[0]?.subSequenceNumber).toBeUndefined();
    expect(Buffer.from(quarantine.records[0]?.raw ?? []).equals(corrupt)).toBe(true);
  });

  it("fails the aggregate's sequence number when one user record cannot be kept; the redelivery counts nothing twice", async () => {
    const { deps, profiles, quarantine } = setup();
    const [aggregated] = await kplAggregate([
      { partitionKey: "c-1", data: json(viewed("c-1", "p-1")) },
      { partitionKey: "c-1", data: "{not json" },
      { partitionKey: "c-1", data: json(viewed("c-1", "p-2")) },
    ]);
    const record = streamRecord(aggregated ?? new Uint8Array());
    quarantine.failNext = true;

    const first = await ingest(deps, [record]);
    const again = await ingest(deps, [record]);

    expect([...first.failed]).toEqual([record.sequenceNumber]);
    expect(again.failed.size).toBe(0);
    expect(again.summary).toMatchObject({ duplicates: 2, quarantined: 1 });
    expect(views(profiles, "c-1")).toBe(2);
  });
});

describe("gzip records", () => {
  it("decompresses a gzip record; a corrupt one and a zip bomb are quarantined with the reason", async () => {
    const { deps, profiles, quarantine } = setup();
    const good = gzipSync(json(viewed("c-1", "p-1")));
    const corrupt = Uint8Array.from([...good.subarray(0, 12), 0, 1, 2, 3]);
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20)); // 8 MiB of spaces in a few KB

    const { summary } = await ingest(deps, [streamRecord(good), streamRecord(corrupt), streamRecord(bomb)]);

    expect(summary).toMatchObject({ events: 1, quarantined: 2 });
    expect(views(profiles, "c-1")).toBe(1);
    expect(quarantine.records.map((r) => r.issues[0]?.rule)).toEqual(["gzip", "size"]);
    expect(quarantine.records[0]?.reason).toMatch(/^gzip-compressed record is corrupt: /);
    expect(quarantine.records[1]?.reason).toContain("expands beyond 1048576 bytes");
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(Buffer.from(quarantine.records[1]?.raw ?? []).equals(bomb)).toBe(true);
  });
});

describe("a JSON array of events in one record", () => {
  it("folds each element; a bad element is quarantined alone, named by its index", async () => {
    const { deps, profiles, quarantine } = setup();
    const record = streamRecord(
      json([viewed("c-1", "p-1"), { ...viewed("c-1", "p-2"), userId: 42.5 }, viewed("c-2", "p-3")]),
    );

    const { summary } = await ingest(deps, [record]);

    expect(summary).toMatchObject({ events: 2, quarantined: 1 });
    expect(views(profiles, "c-1")).toBe(1);
    expect(views(profiles, "c-2")).toBe(1);
    expect(quarantine.records[0]).toMatchObject({ sequenceNumber: record.sequenceNumber, elementIndex: 1 });
    expect(quarantine.records[0]?.reason).toMatch(/^\[1\]\.userId: /);
    expect(JSON.parse(new TextDecoder().decode(quarantine.records[0]?.raw))).toMatchObject({ userId: 42.5 });
  });
});

describe("events without messageId or timestamp", () => {
  it("the same bytes sent twice count once, at the record's arrival time", async () => {
    const { deps, profiles } = setup();
    const { messageId: _, timestamp: __, ...bare } = viewed("c-1", "p-1");
    const payload = json(bare);

    await ingest(deps, [streamRecord(payload)]);
    const retried = await ingest(deps, [streamRecord(payload)]); // a producer retry: a new sequence number

    expect(retried.summary).toMatchObject({ duplicates: 1, profilesWritten: 0 });
    expect(views(profiles, "c-1")).toBe(1);
    expect(profiles.items.get("c-1")?.profile.fs).toBe(ARRIVED);
  });
});

describe("order of events with the same time", () => {
  const at = new Date(NOW - 30_000).toISOString();
  const added = track(
    "c-1",
    "Product Added",
    { product_id: "p-1", price: 5 },
    { messageId: "z-add", timestamp: at },
  );
  const ordered = track(
    "c-1",
    "Order Completed",
    { order_id: "o-1", total: 5, products: [{ product_id: "p-1", price: 5 }] },
    { messageId: "a-order", timestamp: at },
  );

  it("folds in the order the producer sent them, not by messageId: add then order leaves the cart empty", async () => {
    const { deps, profiles } = setup();
    await ingest(deps, [streamRecord(json(added)), streamRecord(json(ordered))]);
    expect(profiles.items.get("c-1")?.profile.ct?.i).toEqual([]);
  });

  it("order then add (same ids, same millisecond) leaves the item in the cart", async () => {
    const { deps, profiles } = setup();
    await ingest(deps, [streamRecord(json(ordered)), streamRecord(json(added))]);
    expect(profiles.items.get("c-1")?.profile.ct?.i.map((line) => line.p)).toEqual(["p-1"]);
  });

  it("keeps the order inside an aggregated record too", async () => {
    const { deps, profiles } = setup();
    const [aggregated] = await kplAggregate([
      { partitionKey: "c-1", data: json(added) },
      { partitionKey: "c-1", data: json(ordered) },
    ]);
    await ingest(deps, [streamRecord(aggregated ?? new Uint8Array())]);
    expect(profiles.items.get("c-1")?.profile.ct?.i).toEqual([]);
  });
});

describe("screen, group and alias on the profile", () => {
  it("counts screens, keeps groups with their traits and the ids the customer is known by, shown by tailor profile", async () => {
    const { deps, profiles } = setup();
    const base = { userId: "c-1", timestamp: new Date(NOW - 10_000).toISOString() };
    const calls = [
      { ...base, type: "screen", messageId: "s-1", name: "Home" },
      { ...base, type: "group", messageId: "g-1", groupId: "acme", traits: { name: "Acme", plan: "pro" } },
      { ...base, type: "alias", messageId: "a-1", previousId: "anon-77" },
    ];

    await ingest({ ...deps, identities: profiles }, [streamRecord(json(calls))]);

    const profile = profiles.items.get("c-1")?.profile;
    expect(profile?.k[KIND_CODES.screen]?.n).toBe(1);
    expect(profile?.gr).toEqual([{ i: "acme", t: { name: "Acme", plan: "pro" }, at: NOW - 10_000 }]);
    expect(profile?.im).toEqual([{ i: "anon-77", h: "alias", at: NOW - 10_000, m: "a-1", v: 0 }]);
    expect(profiles.forwards.get("anon-77")?.forward.to).toBe("c-1"); // its later events come here
    const shown = describeProfile({ ...profile }, NOW).join("\n");
    expect(shown).toContain("acme (name Acme, plan pro)");
    expect(shown).toMatch(/also known as\s+anon-77 \(alias/);
  });
});
