import type { IngestDeps, IngestRecord } from "#shared/app/ingest-batch.js";
import { cachedEvaluationContext, type SegmentDeps } from "#shared/app/segment-deps.js";
import type { SegmentsBatchDeps } from "#shared/app/segments-batch.js";
import type { Condition, EventRef, SegmentDefinition } from "#shared/domain/segments/definition.js";
import { buildLibrary, type SegmentLibrary } from "#shared/domain/segments/index.js";
import type { Clock } from "#shared/ports.js";
import {
  InMemorySegmentStore,
  InMemoryTimers,
  InMemoryTransitionQueue,
} from "../fakes/in-memory-segments.js";
import { InMemoryProfileStore, InMemoryQuarantine } from "../fakes/in-memory-stores.js";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
/** A whole hour, so window edges are easy to reason about. */
export const T0 = Date.UTC(2026, 10, 23, 12);

const added: EventRef = { kind: "product_added", name: "Product Added" };
const viewed: EventRef = { kind: "product_viewed", name: "Product Viewed" };
const ordered: EventRef = { kind: "order_completed", name: "Order Completed" };

function rule(id: string, condition: Condition, version = 1): SegmentDefinition {
  return { id, name: id, version, static: false, rule: condition };
}

/** Added to cart in the last 48 h, no order since. */
export const cartAbandoners = rule("cart-abandoners", {
  kind: "all",
  of: [
    {
      kind: "event",
      event: added,
      within: { unit: "hour", buckets: 48, text: "48h" },
      count: { min: 1, max: undefined },
      negated: false,
    },
    { kind: "noEventSince", event: ordered, since: added },
  ],
});

/** Viewed a product in the last 24 h. */
export function recentViewers(version = 1): SegmentDefinition {
  return rule(
    "recent-viewers",
    {
      kind: "event",
      event: viewed,
      within: { unit: "hour", buckets: version === 1 ? 24 : 2, text: version === 1 ? "24h" : "2h" },
      count: { min: 1, max: undefined },
      negated: false,
    },
    version,
  );
}

/** RFM recency score 4 or 5. */
export const recentBuyers = rule("recent-buyers-rfm", { kind: "rfm", r: { gte: 4 } });

/** A static list. */
export const vipList: SegmentDefinition = { id: "vip-list", name: "VIP list", version: 1, static: true };

/** A segment of segments: on the VIP list and viewed recently. */
export const vipViewers = rule("vip-viewers", {
  kind: "all",
  of: [
    { kind: "inSegment", segmentId: "vip-list" },
    { kind: "inSegment", segmentId: "recent-viewers" },
  ],
});

export function library(definitions?: readonly SegmentDefinition[]): SegmentLibrary {
  return buildLibrary(definitions ?? [cartAbandoners, recentViewers(), recentBuyers, vipList, vipViewers]);
}

/** A clock a test moves by hand. */
export class ManualClock implements Clock {
  constructor(public at: number) {}
  now(): number {
    return this.at;
  }
}

/** Every fake, wired into ingest, timer and batch dependencies sharing the same state. */
export function harness(definitions?: readonly SegmentDefinition[]) {
  const clock = new ManualClock(T0);
  const profiles = new InMemoryProfileStore();
  const quarantine = new InMemoryQuarantine();
  const timers = new InMemoryTimers();
  const store = new InMemorySegmentStore();
  const queue = new InMemoryTransitionQueue();
  let lib = library(definitions);
  const segments = (): SegmentDeps => ({
    library: lib,
    outbox: profiles,
    store,
    timers,
    transitions: queue,
    context: cachedEvaluationContext(store, clock),
  });
  const ingest = (): IngestDeps => ({ profiles, quarantine, clock, segments: segments() });
  const batch = (): SegmentsBatchDeps => ({ profiles, scan: profiles, clock, segments: segments() });
  return {
    clock,
    profiles,
    quarantine,
    timers,
    store,
    queue,
    ingest,
    batch,
    /** Replaces the library (a deploy of new definitions). */
    redefine(next: readonly SegmentDefinition[]) {
      lib = library(next);
    },
  };
}

const encoder = new TextEncoder();
let sequence = 0;

/** A stream record of a raw event. */
export function record(payload: Record<string, unknown>): IngestRecord {
  sequence++;
  return {
    sequenceNumber: String(sequence).padStart(12, "0"),
    partitionKey: String(payload.userId ?? "?"),
    shardId: "shardId-000000000000",
    data: encoder.encode(JSON.stringify(payload)),
    approximateArrivalTimestamp: Number(Date.parse(String(payload.timestamp))),
  };
}

function track(customerId: string, event: string, at: number, properties: Record<string, unknown>) {
  return record({
    type: "track",
    event,
    messageId: `${customerId}-${event}-${at}`,
    userId: customerId,
    timestamp: new Date(at).toISOString(),
    properties,
  });
}

export const addToCart = (customerId: string, at: number) =>
  track(customerId, "Product Added", at, { product_id: "p-1", category: "books", price: 12.5, quantity: 1 });

export const viewProduct = (customerId: string, at: number) =>
  track(customerId, "Product Viewed", at, { product_id: "p-2", category: "books", price: 9 });

export const order = (customerId: string, at: number, total = 25) =>
  track(customerId, "Order Completed", at, {
    order_id: `o-${customerId}-${at}`,
    total,
    revenue: total,
    currency: "USD",
    products: [{ product_id: "p-1", category: "books", price: total, quantity: 1 }],
  });
