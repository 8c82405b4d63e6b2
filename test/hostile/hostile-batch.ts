import { expect } from "vitest";
import { type IngestRecord, type IngestSummary, ingestBatch } from "#shared/app/ingest-batch.js";
import type { StoredProfile } from "#shared/ports.js";
import { InMemoryProfileStore, InMemoryQuarantine } from "../fakes/in-memory-stores.js";

/** The batch's "now": events must lie between 2000-01-01 and one day after it. */
export const NOW = Date.UTC(2026, 10, 23, 12);

const encoder = new TextEncoder();
let sequence = 0;

/** A stream record holding `data` as it is: bytes, JSON text, or a value to serialise. */
export function hostileRecord(data: Uint8Array | string | Record<string, unknown>): IngestRecord {
  sequence++;
  const bytes =
    data instanceof Uint8Array
      ? data
      : encoder.encode(typeof data === "string" ? data : JSON.stringify(data));
  return {
    sequenceNumber: String(sequence).padStart(12, "0"),
    partitionKey: "hostile",
    shardId: "shardId-000000000000",
    data: bytes,
    approximateArrivalTimestamp: NOW - 1000,
  };
}

/** A valid `Product Viewed` of `customerId`, `minutesAgo` before {@link NOW}. */
export function validView(customerId: string, n: number, minutesAgo = n): Record<string, unknown> {
  return {
    type: "track",
    event: "Product Viewed",
    messageId: `${customerId}-view-${n}`,
    userId: customerId,
    timestamp: new Date(NOW - minutesAgo * 60_000).toISOString(),
    properties: { product_id: `p-${n}`, category: "books", price: 12.5, currency: "EUR" },
  };
}

/** Four valid views over two customers (`ok-1` three, `ok-2` one), to interleave with hostile records. */
export function validRecords(): IngestRecord[] {
  return [
    hostileRecord(validView("ok-1", 1)),
    hostileRecord(validView("ok-2", 2)),
    hostileRecord(validView("ok-1", 3)),
    hostileRecord(validView("ok-1", 4)),
  ];
}

/** What the batch left behind. */
export interface HostileOutcome {
  readonly summary: IngestSummary;
  readonly failed: ReadonlySet<string>;
  readonly profiles: InMemoryProfileStore;
  readonly quarantine: InMemoryQuarantine;
  profile(customerId: string): StoredProfile["profile"] | undefined;
}

/**
 * Ingests the valid records interleaved with `hostile` (one valid record before each hostile one, the rest after)
 * through the real use case with in-memory stores, and checks that every valid record was folded: `ok-1` has
 * 3 product views, `ok-2` one, nothing was failed back to the stream, and `Object.prototype` is untouched.
 */
export async function ingestAmongValid(hostile: readonly IngestRecord[]): Promise<HostileOutcome> {
  const profiles = new InMemoryProfileStore();
  const quarantine = new InMemoryQuarantine();
  const valid = validRecords();
  const batch: IngestRecord[] = [];
  hostile.forEach((record, index) => {
    const before = valid[index];
    if (before !== undefined) batch.push(before);
    batch.push(record);
  });
  batch.push(...valid.slice(hostile.length));
  const { summary, failed } = await ingestBatch({ profiles, quarantine, clock: { now: () => NOW } }, batch);

  expect(failed.size).toBe(0);
  expect(profiles.items.get("ok-1")?.profile.k.pv?.n).toBe(3);
  expect(profiles.items.get("ok-2")?.profile.k.pv?.n).toBe(1);
  expect(profiles.items.get("ok-1")?.profile.rv).toEqual(["p-1", "p-3", "p-4"]);
  expectPrototypeUntouched();
  return {
    summary,
    failed,
    profiles,
    quarantine,
    profile: (customerId) => profiles.items.get(customerId)?.profile,
  };
}

/** `Object.prototype` and `Array.prototype` hold none of the hostile inputs' keys, and a fresh `{}` is clean. */
export function expectPrototypeUntouched(): void {
  const probe: Record<string, unknown> = {};
  for (const key of ["polluted", "isAdmin", "injected"]) {
    expect(Object.hasOwn(Object.prototype, key)).toBe(false);
    expect(Object.hasOwn(Array.prototype, key)).toBe(false);
    expect(probe[key]).toBeUndefined();
  }
  expect(typeof Object.prototype.toString).toBe("function");
  expect(Object.getPrototypeOf(probe)).toBe(Object.prototype);
}
