/**
 * `npx tsx bench/watch-writes.ts [customers] [days]`: the watch index's extra write cost per ingested event, on
 * the simulator's traffic folded by the real ingest (in memory), in one-minute batches as the stream's batching
 * window would give them. Prints events, watches written, purchases forgotten, new items (each also written to
 * the index by customer), and the write units per event.
 */
import { type IngestRecord, ingestBatch } from "#shared/app/ingest-batch.js";
import { simulate } from "#shared/sim/index.js";
import { InMemoryProfileStore, InMemoryQuarantine } from "#test/fakes/in-memory-stores.js";
import { InMemoryWatchIndex } from "#test/fakes/in-memory-watches.js";

const customers = Number(process.argv[2] ?? 200);
const days = Number(process.argv[3] ?? 7);
const start = Date.UTC(2026, 10, 1);
const encoder = new TextEncoder();

const records = [...simulate({ customers, days, seed: 42, start })];
const watches = new InMemoryWatchIndex();
let forgotten = 0;
const counting = {
  record: (w: Parameters<InMemoryWatchIndex["record"]>[0]) => watches.record(w),
  forget: async (customerId: string, productIds: readonly string[]) => {
    forgotten += productIds.length;
    return watches.forget(customerId, productIds);
  },
  watchers: watches.watchers.bind(watches),
};
const profiles = new InMemoryProfileStore();
let now = start;
const deps = { profiles, quarantine: new InMemoryQuarantine(), clock: { now: () => now }, watches: counting };
let events = 0;
let views = 0;
let sequence = 0;
for (let minute = start; minute < start + days * 86_400_000; minute += 60_000) {
  const batch = records.filter((r) => r.at >= minute && r.at < minute + 60_000);
  if (batch.length === 0) continue;
  now = minute + 60_000;
  const input: IngestRecord[] = batch.map((r) => ({
    sequenceNumber: String(++sequence).padStart(12, "0"),
    partitionKey: r.partitionKey,
    shardId: "shardId-000000000000",
    data: encoder.encode(JSON.stringify(r.event)),
    approximateArrivalTimestamp: r.at,
  }));
  const { summary } = await ingestBatch(deps, input);
  events += summary.events;
  views += batch.filter(
    (r) => r.event.event === "Product Viewed" || r.event.event === "Product Added",
  ).length;
}
const written = watches.recorded.length;
// A new item is written to the keys-only index by customer too (one more write unit); later updates are not.
const newItems = new Set(watches.recorded.map((w) => `${w.productId}|${w.customerId}`)).size;
console.log(
  JSON.stringify(
    {
      customers,
      days,
      events,
      viewsAndAdds: views,
      watchesWritten: written,
      purchasesForgotten: forgotten,
      newItems,
      watchWritesPerEvent: Number(((written + forgotten) / events).toFixed(3)),
      writeUnitsPerEventWithIndex: Number(((written + forgotten + newItems) / events).toFixed(3)),
      watchWritesPerViewOrAdd: Number((written / views).toFixed(3)),
    },
    null,
    2,
  ),
);
