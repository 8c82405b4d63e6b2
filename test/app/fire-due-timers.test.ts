import { describe, expect, it } from "vitest";
import { fireDueTimers } from "#shared/app/fire-due-timers.js";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import { addToCart, HOUR, harness, T0, viewProduct } from "./segment-harness.js";

describe("fireDueTimers", () => {
  it("exits a cart abandoner once the 48 h window has passed with no new event", async () => {
    // Prepare
    const h = harness();
    await ingestBatch(h.ingest(), [addToCart("c-1", T0 - HOUR)]);
    const due = h.profiles.items.get("c-1")?.profile.tm ?? 0;
    h.clock.at = T0 - HOUR + 48 * HOUR + 60_000;

    // Act
    const summary = await fireDueTimers(h.batch());

    // Assess
    expect(due).toBeLessThanOrEqual(h.clock.at);
    const exits = h.queue.messages.filter((m) => m.kind === "exited");
    expect(exits).toEqual([
      expect.objectContaining({ customerId: "c-1", segmentId: "cart-abandoners", at: h.clock.at }),
    ]);
    expect(h.profiles.items.get("c-1")?.profile.sg?.["cart-abandoners"]).toBeUndefined();
    expect(h.store.counters.get("cart-abandoners")).toBe(0);
    expect(h.timers.of("c-1")).not.toContain(due);
    expect(summary).toMatchObject({ due: 1, customers: 1, transitions: 1, profilesWritten: 1, failed: 0 });
  });

  it("does nothing before the window has passed: the timer is not due", async () => {
    const h = harness();
    await ingestBatch(h.ingest(), [addToCart("c-1", T0 - HOUR)]);
    h.clock.at = T0 + 10 * HOUR;

    const summary = await fireDueTimers(h.batch());

    expect(summary.due).toBe(0);
    expect(h.profiles.items.get("c-1")?.profile.sg?.["cart-abandoners"]).toBeDefined();
  });

  it("changes nothing when the same timer fires twice", async () => {
    const h = harness();
    await ingestBatch(h.ingest(), [addToCart("c-1", T0 - HOUR)]);
    const due = h.profiles.items.get("c-1")?.profile.tm ?? 0;
    h.clock.at = T0 + 48 * HOUR;
    await fireDueTimers(h.batch());
    const after = structuredClone(h.profiles.items.get("c-1"));
    const published = h.queue.messages.length;
    const puts = h.profiles.puts;
    // The same timer delivered again (a retried run that had already deleted it, or a duplicate).
    await h.timers.schedule("c-1", due);

    const summary = await fireDueTimers(h.batch());

    expect(summary).toMatchObject({ due: 1, transitions: 0, profilesWritten: 0 });
    expect(h.profiles.puts).toBe(puts);
    expect(h.profiles.items.get("c-1")).toEqual(after);
    expect(h.queue.messages).toHaveLength(published);
  });

  it("schedules the next change without writing the profile when time changed no membership", async () => {
    const h = harness();
    // A view 2 h ago (leaves its 24 h window first) and an add 1 h ago (leaves its 48 h window later).
    await ingestBatch(h.ingest(), [addToCart("c-1", T0 - HOUR), viewProduct("c-1", T0 - 2 * HOUR)]);
    const firstDue = h.profiles.items.get("c-1")?.profile.tm ?? 0;
    const puts = h.profiles.puts;
    h.clock.at = firstDue;

    const summary = await fireDueTimers(h.batch());

    // The view left its window: an exit from recent-viewers, the cart stays: a write, and a later timer.
    expect(summary.transitions).toBe(1);
    expect(h.profiles.puts).toBe(puts + 1);
    const next = h.timers.of("c-1");
    expect(next.length).toBe(1);
    expect(next[0]).toBeGreaterThan(firstDue);

    // Fire the later timer's time before the cart leaves: an early (conservative) time changes nothing.
    await h.timers.schedule("c-1", firstDue + HOUR);
    h.clock.at = firstDue + HOUR;
    const quiet = await fireDueTimers(h.batch());
    expect(quiet).toMatchObject({ transitions: 0, profilesWritten: 0 });
    expect(h.profiles.puts).toBe(puts + 1);
    expect(h.timers.of("c-1")).toEqual(next);
  });

  it("drops the timer of a customer whose profile is gone", async () => {
    const h = harness();
    await h.timers.schedule("erased", T0 - 60_000);

    const summary = await fireDueTimers(h.batch());

    expect(summary).toMatchObject({ due: 1, dropped: 1 });
    expect(h.timers.items.size).toBe(0);
    expect(h.profiles.items.has("erased")).toBe(false);
  });

  it("keeps the timer when publishing fails, and the next run delivers the transition", async () => {
    const h = harness();
    await ingestBatch(h.ingest(), [addToCart("c-1", T0 - HOUR)]);
    h.clock.at = T0 + 48 * HOUR;
    h.queue.down = true;

    const failing = await fireDueTimers(h.batch());

    expect(failing).toMatchObject({ failed: 1, abandoned: 0 });
    expect(failing.failures[0]).toMatchObject({ customerId: "c-1", retryable: true });
    expect(h.profiles.items.get("c-1")?.profile.ob).toHaveLength(1);
    expect(h.timers.items.size).toBeGreaterThan(0);

    h.queue.down = false;
    h.clock.at += 60_000;
    const healed = await fireDueTimers(h.batch());

    expect(healed.failed).toBe(0);
    expect(h.queue.messages.filter((m) => m.kind === "exited")).toHaveLength(1);
    expect(h.profiles.items.get("c-1")?.profile.ob).toBeUndefined();
  });

  it("fires a backlog larger than one round, each customer once", async () => {
    const h = harness();
    const customers = Array.from({ length: 25 }, (_, i) => `c-${i}`);
    await ingestBatch(
      h.ingest(),
      customers.map((id) => addToCart(id, T0 - HOUR)),
    );
    h.clock.at = T0 + 48 * HOUR;

    const summary = await fireDueTimers(h.batch(), { limit: 10 });

    expect(summary.customers).toBe(25);
    expect(h.queue.messages.filter((m) => m.kind === "exited")).toHaveLength(25);
    expect(h.store.counters.get("cart-abandoners")).toBe(0);
  });
});
