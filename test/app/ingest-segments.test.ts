import { describe, expect, it } from "vitest";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import { addToCart, DAY, HOUR, harness, order, T0, viewProduct } from "./segment-harness.js";

describe("ingestBatch with segments", () => {
  it("records an entry in the same single write, publishes it, clears the outbox, counts it and sets a timer", async () => {
    // Prepare
    const h = harness();

    // Act
    const { failed, summary } = await ingestBatch(h.ingest(), [addToCart("c-1", T0 - HOUR)]);

    // Assess
    expect(failed.size).toBe(0);
    expect(h.profiles.puts).toBe(1);
    const stored = h.profiles.items.get("c-1")?.profile;
    expect(stored?.sg?.["cart-abandoners"]).toEqual({ e: T0, v: 1 });
    expect(stored?.ob).toBeUndefined();
    expect(h.queue.messages).toEqual([
      expect.objectContaining({ customerId: "c-1", segmentId: "cart-abandoners", kind: "entered", at: T0 }),
    ]);
    expect(h.store.counters.get("cart-abandoners")).toBe(1);
    // The add leaves the 48 h window at the end of its bucket: the earliest time-driven change.
    expect(stored?.tm).toBeGreaterThan(T0);
    expect(stored?.tm).toBeLessThanOrEqual(T0 - HOUR + 48 * HOUR);
    expect(h.timers.of("c-1")).toEqual([stored?.tm]);
    expect(summary).toMatchObject({
      transitions: 1,
      transitionsPublished: 1,
      outboxWrites: 1,
      timerWrites: 1,
      counterWrites: 1,
      profilesWritten: 1,
    });
  });

  it("emits the exit when an order arrives, and the counter returns to zero", async () => {
    const h = harness();
    await ingestBatch(h.ingest(), [addToCart("c-1", T0 - HOUR)]);
    h.clock.at = T0 + HOUR;

    const { summary } = await ingestBatch(h.ingest(), [order("c-1", T0 + HOUR - 60_000)]);

    expect(summary.transitions).toBe(1);
    expect(h.queue.messages.map((m) => m.kind)).toEqual(["entered", "exited"]);
    expect(h.profiles.items.get("c-1")?.profile.sg?.["cart-abandoners"]).toBeUndefined();
    expect(h.store.counters.get("cart-abandoners")).toBe(0);
  });

  it("writes no timer when the next change is later than the pending timer", async () => {
    const h = harness();
    await ingestBatch(h.ingest(), [viewProduct("c-1", T0 - HOUR)]);
    const pending = h.profiles.items.get("c-1")?.profile.tm;
    h.clock.at = T0 + 10 * 60_000;

    const { summary } = await ingestBatch(h.ingest(), [viewProduct("c-1", T0 + 5 * 60_000)]);

    expect(summary.timerWrites).toBe(0);
    expect(h.profiles.items.get("c-1")?.profile.tm).toBe(pending);
    expect(h.timers.of("c-1")).toEqual([pending]);
  });

  it("writes a new timer when the next change comes earlier than the pending one", async () => {
    const h = harness();
    // A view 1 h ago: the 24 h window keeps it ~23 h; pending timer then.
    await ingestBatch(h.ingest(), [viewProduct("c-1", T0 - HOUR)]);
    const pending = h.profiles.items.get("c-1")?.profile.tm ?? 0;
    // An add to cart from 47 h ago arrives late: it leaves its 48 h window within ~1 h, before `pending`.
    const { summary } = await ingestBatch(h.ingest(), [addToCart("c-1", T0 - 47 * HOUR)]);

    const tm = h.profiles.items.get("c-1")?.profile.tm ?? 0;
    expect(summary.timerWrites).toBe(1);
    expect(tm).toBeLessThan(pending);
    expect(h.timers.of("c-1")).toEqual([tm, pending]);
  });

  it("keeps transitions in the outbox when the queue is down and publishes them on the redelivery", async () => {
    const h = harness();
    const batch = [addToCart("c-1", T0 - HOUR), viewProduct("c-2", T0 - HOUR)];
    h.queue.down = true;

    const first = await ingestBatch(h.ingest(), batch);

    expect([...first.failed].sort()).toEqual(batch.map((r) => r.sequenceNumber).sort());
    expect(h.profiles.items.get("c-1")?.profile.ob).toHaveLength(1);
    expect(h.store.counters.get("cart-abandoners")).toBe(1);

    h.queue.down = false;
    h.clock.at = T0 + 60_000;
    const second = await ingestBatch(h.ingest(), batch);

    expect(second.failed.size).toBe(0);
    expect(second.summary).toMatchObject({ duplicates: 2, profilesWritten: 0, transitionsPublished: 2 });
    expect(
      h.queue
        .distinct()
        .map((t) => `${t.customerId}:${t.segmentId}:${t.at}`)
        .sort(),
    ).toEqual([`c-1:cart-abandoners:${T0}`, `c-2:recent-viewers:${T0}`]);
    expect(h.profiles.items.get("c-1")?.profile.ob).toBeUndefined();
    expect(h.store.counters.get("cart-abandoners")).toBe(1);
  });

  it("clears only what the queue accepted; the rest stays and goes out on the redelivery", async () => {
    const h = harness();
    const batch = [addToCart("c-1", T0 - HOUR), viewProduct("c-1", T0 - HOUR)];
    h.queue.reject = (t) => t.segmentId === "recent-viewers";

    const first = await ingestBatch(h.ingest(), batch);

    expect(first.failed.size).toBe(2);
    expect(h.profiles.items.get("c-1")?.profile.ob?.map((t) => t.segmentId)).toEqual(["recent-viewers"]);
    expect(h.queue.messages.map((t) => t.segmentId)).toEqual(["cart-abandoners"]);

    h.queue.reject = undefined;
    const second = await ingestBatch(h.ingest(), batch);

    expect(second.failed.size).toBe(0);
    expect(h.queue.messages.map((t) => t.segmentId)).toEqual(["cart-abandoners", "recent-viewers"]);
    expect(h.profiles.items.get("c-1")?.profile.ob).toBeUndefined();
  });

  it("publishes again what a lost clear left behind; a consumer de-duplicating on id sees each once", async () => {
    const h = harness();
    h.profiles.beforeClear = (customerId) => {
      h.profiles.beforeClear = undefined;
      // Another writer bumps the version between our write and our clear.
      const stored = h.profiles.items.get(customerId);
      if (stored === undefined) throw new Error("missing");
      h.profiles.items.set(customerId, {
        ...stored,
        profile: { ...stored.profile, version: stored.profile.version + 1 },
      });
    };

    await ingestBatch(h.ingest(), [addToCart("c-1", T0 - HOUR)]);
    expect(h.profiles.items.get("c-1")?.profile.ob).toHaveLength(1);
    h.clock.at = T0 + HOUR;
    await ingestBatch(h.ingest(), [viewProduct("c-1", T0 + HOUR - 1000)]);

    expect(h.queue.messages.filter((m) => m.segmentId === "cart-abandoners")).toHaveLength(2);
    expect(
      h.queue
        .distinct()
        .map((m) => m.segmentId)
        .sort(),
    ).toEqual(["cart-abandoners", "recent-viewers"]);
    expect(h.profiles.items.get("c-1")?.profile.ob).toBeUndefined();
  });

  it("reads the RFM thresholds once per batch and reuses them for a minute", async () => {
    const h = harness();
    const deps = h.ingest();

    await ingestBatch(deps, [viewProduct("c-1", T0 - HOUR), viewProduct("c-2", T0 - HOUR)]);
    h.clock.at = T0 + 30_000;
    await ingestBatch(deps, [viewProduct("c-3", T0)]);
    h.clock.at = T0 + 61_000;
    await ingestBatch(deps, [viewProduct("c-4", T0)]);

    expect(h.store.thresholdReads).toBe(2);
  });

  it("still succeeds when the counters cannot be written, and says so", async () => {
    const h = harness();
    h.store.failAdds = true;

    const { failed, summary } = await ingestBatch(h.ingest(), [addToCart("c-1", T0 - HOUR)]);

    expect(failed.size).toBe(0);
    expect(summary.counterFailures).toBe(1);
    expect(h.queue.messages).toHaveLength(1);
  });

  it("changes nothing when the same batch is delivered twice", async () => {
    const h = harness();
    const batch = [addToCart("c-1", T0 - HOUR), viewProduct("c-1", T0 - 2 * HOUR)];
    await ingestBatch(h.ingest(), batch);
    const after = structuredClone(h.profiles.items.get("c-1"));
    const published = h.queue.messages.length;
    h.clock.at = T0 + DAY;

    const { summary } = await ingestBatch(h.ingest(), batch);

    expect(summary).toMatchObject({ profilesWritten: 0, transitions: 0, timerWrites: 0, counterWrites: 0 });
    expect(h.profiles.items.get("c-1")).toEqual(after);
    expect(h.queue.messages).toHaveLength(published);
  });
});
