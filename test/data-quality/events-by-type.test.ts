import { describe, expect, it } from "vitest";
import { emptySummary } from "#shared/app/ingest/ingest-types.js";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import { EVENT_TYPE_DIMENSIONS } from "#shared/domain/events/event-type-dimension.js";
import { createObservability } from "#shared/lambda/middleware.js";
import { emitEventsByType, reportIngest } from "#shared/lambda/reports/ingest-report.js";
import { InMemoryProfileStore, InMemoryQuarantine } from "../fakes/in-memory-stores.js";
import { captureEmf } from "../support/emf-records.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const encoder = new TextEncoder();

/** Stream records of the given Segment-spec events, one customer each. */
function records(events: readonly Record<string, unknown>[]) {
  return events.map((event, index) => ({
    sequenceNumber: String(index + 1).padStart(12, "0"),
    partitionKey: `c-${index}`,
    shardId: "shardId-000000000000",
    data: encoder.encode(JSON.stringify(event)),
    approximateArrivalTimestamp: NOW - 1_000,
  }));
}

const track = (event: string, index: number) => ({
  type: "track",
  event,
  messageId: `m-${index}`,
  userId: `c-${index}`,
  timestamp: new Date(NOW - 60_000).toISOString(),
  properties: { product_id: "p-1", order_id: `o-${index}`, total: 10 },
});

describe("the per-type event metric", () => {
  it("ingest counts valid events per type, unknown track names as other, and the malformed not at all", async () => {
    // Prepare: 2 orders, 1 view, 1 page, 3 distinct made-up event names, 1 malformed record
    const events = [
      track("Order Completed", 0),
      track("order_completed", 1),
      track("Product Viewed", 2),
      { type: "page", messageId: "m-3", userId: "c-3", timestamp: new Date(NOW).toISOString(), name: "Home" },
      track("Spun The Wheel", 4),
      track("Wheel Spun Again", 5),
      track(`Made Up ${"x".repeat(40)}`, 6),
    ];
    const malformed = {
      sequenceNumber: "000000000099",
      partitionKey: "c-9",
      shardId: "shardId-000000000000",
      data: encoder.encode("{nope"),
      approximateArrivalTimestamp: NOW - 1_000,
    };
    const batch = [...records(events), malformed];

    // Act
    const { summary } = await ingestBatch(
      {
        profiles: new InMemoryProfileStore(),
        quarantine: new InMemoryQuarantine(),
        clock: { now: () => NOW },
      },
      batch,
    );

    // Assess
    expect(summary.quarantined).toBe(1);
    expect(summary.eventsByType).toEqual({ order_completed: 2, product_viewed: 1, page: 1, other: 3 });
  });

  it("publishes EventsByType once per type with the eventType dimension, bounded to the documented values", () => {
    // Prepare
    const observability = createObservability({ serviceName: "ingest", namespace: "Tailor" });

    // Act
    const emitted = captureEmf(() =>
      emitEventsByType(observability.metrics, { order_completed: 2, identify: 5, other: 3, page: 0 }),
    );

    // Assess: one record per non-zero type, its own dimension set
    expect(emitted.map((record) => [record.eventType, record.EventsByType])).toEqual([
      ["order_completed", 2],
      ["identify", 5],
      ["other", 3],
    ]);
    for (const record of emitted) {
      const [directive] = record._aws.CloudWatchMetrics;
      expect(directive?.Metrics.map((m) => m.Name)).toEqual(["EventsByType"]);
      expect(directive?.Dimensions.map((set) => set.toSorted())).toEqual([["eventType", "service"]]);
      expect(EVENT_TYPE_DIMENSIONS).toContain(record.eventType);
    }
    expect(EVENT_TYPE_DIMENSIONS).not.toContain("custom");
    expect(EVENT_TYPE_DIMENSIONS.length).toBeLessThanOrEqual(25);
  });

  it("reportIngest emits the per-type records beside the batch counts", () => {
    const observability = createObservability({ serviceName: "ingest", namespace: "Tailor" });
    const summary = { ...emptySummary(4), events: 4, eventsByType: { product_added: 4 } };
    const emitted = captureEmf(() => reportIngest(observability, summary));
    expect(emitted.some((record) => record.eventType === "product_added" && record.EventsByType === 4)).toBe(
      true,
    );
  });
});
