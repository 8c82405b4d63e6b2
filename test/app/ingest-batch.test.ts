import { describe, expect, it } from "vitest";
import { type IngestRecord, ingestBatch } from "#shared/app/ingest-batch.js";
import { decodeEvent, type TailorEvent } from "#shared/domain/events/index.js";
import { foldEvents } from "#shared/domain/profile/index.js";
import { InMemoryProfileStore, InMemoryQuarantine } from "../fakes/in-memory-stores.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const encoder = new TextEncoder();
let sequence = 0;

function record(payload: unknown, partitionKey = "c-1"): IngestRecord {
  sequence++;
  return {
    sequenceNumber: String(sequence).padStart(12, "0"),
    partitionKey,
    shardId: "shardId-000000000000",
    data: typeof payload === "string" ? encoder.encode(payload) : encoder.encode(JSON.stringify(payload)),
    approximateArrivalTimestamp: NOW - 1000,
  };
}

function viewed(customerId: string, n: number, minutesAgo: number) {
  return {
    type: "track",
    event: "Product Viewed",
    messageId: `${customerId}-view-${n}`,
    userId: customerId,
    timestamp: new Date(NOW - minutesAgo * 60_000).toISOString(),
    properties: { product_id: `p-${n}`, category: "books", price: 12.5, currency: "EUR" },
  };
}

function eventsOf(records: readonly IngestRecord[]): TailorEvent[] {
  return records.flatMap((r) => {
    const decoded = decodeEvent(r.data, NOW);
    return decoded.ok ? [decoded.event] : [];
  });
}

function setup() {
  const profiles = new InMemoryProfileStore();
  const quarantine = new InMemoryQuarantine();
  return { profiles, quarantine, deps: { profiles, quarantine, clock: { now: () => NOW } } };
}

describe("ingestBatch", () => {
  it("writes each customer's profile once per batch, folded from all of that customer's events", async () => {
    // Prepare
    const { deps, profiles } = setup();
    const batch = [
      record(viewed("c-1", 1, 30)),
      record(viewed("c-2", 2, 29)),
      record(viewed("c-1", 3, 28)),
      record(viewed("c-3", 4, 27)),
      record(viewed("c-1", 5, 26)),
    ];

    // Act
    const { failed, summary } = await ingestBatch(deps, batch);

    // Assess
    expect(failed.size).toBe(0);
    expect(profiles.puts).toBe(3);
    expect(summary).toMatchObject({ events: 5, customers: 3, profilesWritten: 3, quarantined: 0 });
    const c1Events = eventsOf(batch).filter((e) => e.customerId === "c-1");
    expect(c1Events).toHaveLength(3);
    const expected = foldEvents(undefined, "c-1", c1Events, NOW).profile;
    expect(profiles.items.get("c-1")?.profile).toEqual({ ...expected, version: 1 });
  });

  it("quarantines a malformed record with its bytes and reason while the good ones land", async () => {
    const { deps, profiles, quarantine } = setup();
    const bad = record('{"type":"track","event":"Product Viewed","userId":"c-9"');
    const badPrice = record({ ...viewed("c-9", 7, 5), properties: { product_id: "p", price: "abc" } });
    const batch = [record(viewed("c-1", 1, 10)), bad, badPrice, record(viewed("c-2", 2, 9))];

    const { failed, summary } = await ingestBatch(deps, batch);

    expect(failed.size).toBe(0);
    expect(summary).toMatchObject({ events: 2, quarantined: 2, profilesWritten: 2 });
    expect(profiles.items.has("c-1") && profiles.items.has("c-2")).toBe(true);
    expect(profiles.items.has("c-9")).toBe(false);
    const [first, second] = quarantine.records;
    expect(first?.sequenceNumber).toBe(bad.sequenceNumber);
    expect(Buffer.from(first?.raw ?? []).equals(Buffer.from(bad.data))).toBe(true);
    expect(first?.reason).toMatch(/JSON/i);
    expect(second?.reason).toContain("properties.price");
  });

  it("changes nothing when the same batch is delivered twice", async () => {
    const { deps, profiles } = setup();
    const batch = [record(viewed("c-1", 1, 10)), record(viewed("c-2", 2, 9)), record(viewed("c-1", 3, 8))];
    await ingestBatch(deps, batch);
    const after = structuredClone([...profiles.items.entries()]);

    const { summary } = await ingestBatch(deps, batch);

    expect(summary).toMatchObject({ duplicates: 3, profilesWritten: 0, profilesUnchanged: 2 });
    expect([...profiles.items.entries()]).toEqual(after);
  });

  it("ignores a producer's retry of the same messageId under a new sequence number", async () => {
    const { deps, profiles } = setup();
    await ingestBatch(deps, [record(viewed("c-1", 1, 10))]);
    const before = structuredClone(profiles.items.get("c-1"));

    const { summary } = await ingestBatch(deps, [record(viewed("c-1", 1, 10))]);

    expect(summary.duplicates).toBe(1);
    expect(profiles.items.get("c-1")).toEqual(before);
  });

  it("reloads and refolds when another writer wins the race, losing neither write", async () => {
    const { deps, profiles } = setup();
    await ingestBatch(deps, [record(viewed("c-1", 1, 10))]);
    let raced = false;
    profiles.beforePut = () => {
      if (raced) return;
      raced = true;
      // A concurrent invocation writes c-1 between our read and our write.
      const stored = profiles.items.get("c-1");
      if (stored === undefined) throw new Error("c-1 missing");
      const other = foldEvents(stored.profile, "c-1", eventsOf([record(viewed("c-1", 2, 9))]), NOW).profile;
      profiles.items.set("c-1", { profile: { ...other, version: stored.profile.version + 1 }, itemBytes: 1 });
    };

    const { summary, failed } = await ingestBatch(deps, [record(viewed("c-1", 3, 8))]);

    expect(failed.size).toBe(0);
    expect(summary.conflicts).toBe(1);
    const all = eventsOf([
      record(viewed("c-1", 1, 10)),
      record(viewed("c-1", 2, 9)),
      record(viewed("c-1", 3, 8)),
    ]);
    const expected = foldEvents(undefined, "c-1", all, NOW).profile;
    expect(profiles.items.get("c-1")?.profile).toEqual({ ...expected, version: 3 });
  });

  it("reports only the records it could not store, so the stream redelivers them", async () => {
    const { deps, profiles, quarantine } = setup();
    profiles.beforePut = (profile) => {
      if (profile.customerId === "c-2") throw new Error("throttled");
    };
    quarantine.failNext = true;
    const c2 = record(viewed("c-2", 2, 9));
    const bad = record("not json");
    const batch = [record(viewed("c-1", 1, 10)), c2, bad, record(viewed("c-3", 3, 8))];

    const { failed } = await ingestBatch(deps, batch);

    expect([...failed].sort()).toEqual([c2.sequenceNumber, bad.sequenceNumber].sort());
    expect(profiles.items.has("c-1") && profiles.items.has("c-3")).toBe(true);
    expect(profiles.items.has("c-2")).toBe(false);
  });
});
