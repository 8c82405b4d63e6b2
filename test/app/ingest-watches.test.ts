import { describe, expect, it } from "vitest";
import { type IngestRecord, ingestBatch } from "#shared/app/ingest-batch.js";
import { InMemoryProfileStore, InMemoryQuarantine } from "../fakes/in-memory-stores.js";
import { InMemoryWatchIndex } from "../fakes/in-memory-watches.js";

const NOW = Date.UTC(2026, 10, 23, 15);
const MINUTE = 60_000;
const encoder = new TextEncoder();
let sequence = 0;

function record(payload: unknown): IngestRecord {
  sequence++;
  return {
    sequenceNumber: String(sequence).padStart(12, "0"),
    partitionKey: "c-1",
    shardId: "shardId-000000000000",
    data: encoder.encode(JSON.stringify(payload)),
    approximateArrivalTimestamp: NOW,
  };
}

const track = (event: string, id: string, minutesAgo: number, properties: Record<string, unknown>) => ({
  type: "track",
  event,
  messageId: id,
  userId: "c-1",
  timestamp: new Date(NOW - minutesAgo * MINUTE).toISOString(),
  properties,
});
const viewed = (id: string, minutesAgo: number, product = "p-1") =>
  track("Product Viewed", id, minutesAgo, { product_id: product, price: 10, currency: "EUR" });

function setup() {
  const profiles = new InMemoryProfileStore();
  const watches = new InMemoryWatchIndex();
  const deps = { profiles, quarantine: new InMemoryQuarantine(), clock: { now: () => NOW }, watches };
  return { deps, profiles, watches };
}

describe("ingest records the watch index", () => {
  it("writes one watch per customer, product and day however often the product is viewed", async () => {
    const { deps, watches } = setup();
    const first = await ingestBatch(deps, [record(viewed("m1", 60)), record(viewed("m2", 50))]);
    const second = await ingestBatch(deps, [record(viewed("m3", 10)), record(viewed("m4", 5, "p-2"))]);
    expect(watches.recorded.map((w) => `${w.productId}:${w.how}`)).toEqual(["p-1:viewed", "p-2:viewed"]);
    // One write for the first batch's two views of p-1; the second batch writes only p-2, new today.
    expect([first.summary.watchWrites, second.summary.watchWrites]).toEqual([1, 1]);
  });

  it("forgets the products of an order", async () => {
    const { deps, watches } = setup();
    await ingestBatch(deps, [record(viewed("m1", 60)), record(viewed("m2", 60, "p-2"))]);
    const order = track("Order Completed", "o1", 1, {
      order_id: "o-1",
      total: 10,
      currency: "EUR",
      products: [{ product_id: "p-1", price: 10, quantity: 1 }],
    });
    await ingestBatch(deps, [record(order)]);
    expect((await watches.watchers("p-1", { since: 0 })).watchers).toEqual([]);
    expect((await watches.watchers("p-2", { since: 0 })).watchers).toEqual([
      { customerId: "c-1", viewedAt: NOW - 60 * MINUTE },
    ]);
  });

  it("fails the customer's records back when the index cannot be written, and records them on redelivery", async () => {
    const { deps, profiles, watches } = setup();
    watches.failNext = 1;
    const batch = [record(viewed("m1", 30))];
    const failedOnce = await ingestBatch(deps, batch);
    expect(failedOnce.failed.size).toBe(1);
    expect(profiles.items.has("c-1")).toBe(false);
    const again = await ingestBatch(deps, batch);
    expect(again.failed.size).toBe(0);
    expect(watches.recorded).toHaveLength(1);
  });
});
