import { describe, expect, it } from "vitest";
import { fanOutSchedule, ScheduleFanOutError } from "#shared/app/campaign-schedule.js";
import { startTransitionJourneys } from "#shared/app/campaign-transitions.js";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import { emptyProfile, type Profile } from "#shared/domain/profile/index.js";
import { campaign, library } from "../campaigns/helpers.js";
import { InMemorySendQueue, InMemorySendTimers } from "../fakes/in-memory-sends.js";
import { InMemoryProfileStore } from "../fakes/in-memory-stores.js";
import { addToCart, DAY, HOUR, harness, ManualClock, order, T0 } from "./segment-harness.js";

const cart = campaign({
  steps: [
    { delay: "4h", template: "cart-abandonment" },
    { delay: "48h", template: "cart-abandonment" },
  ],
  exitWhen: ["Order Completed"],
});
const thanks = campaign({
  id: "thanks",
  purpose: "transactional",
  trigger: { event: "Order Completed" },
  steps: [{ template: "welcome" }],
});
const winBack = campaign({
  id: "win-back",
  trigger: { segment: "lapsed", on: "entered" },
  steps: [{ template: "welcome" }, { delay: "3d", template: "welcome" }],
});
const newsletter = campaign({
  id: "newsletter",
  trigger: { schedule: "cron(0 9 ? * MON *)", audience: "vip" },
  steps: [{ template: "newsletter" }],
});

function campaignHarness() {
  const h = harness();
  const queue = new InMemorySendQueue();
  const timers = new InMemorySendTimers();
  const sends = { queue, timers };
  const ingest = () => ({ ...h.ingest(), campaigns: { library: library(cart, thanks), sends } });
  return { h, queue, timers, sends, ingest };
}

describe("event-triggered journeys in ingest", () => {
  it("writes a cart journey's steps with the profile, then hands them to send timers and clears the outbox", async () => {
    const { h, timers, queue, ingest } = campaignHarness();

    const { failed, summary } = await ingestBatch(ingest(), [addToCart("c-1", T0 - HOUR)]);

    expect(failed.size).toBe(0);
    expect(timers.pending().map((i) => [i.key, i.dueAt])).toEqual([
      [`cart#c-1#${T0 - HOUR}#0`, T0 + 3 * HOUR],
      [`cart#c-1#${T0 - HOUR}#1`, T0 + 47 * HOUR],
    ]);
    expect(queue.messages).toEqual([]);
    expect(h.profiles.items.get("c-1")?.profile.oi).toBeUndefined();
    expect(summary).toMatchObject({ intents: 2, intentsTimed: 2, intentsEnqueued: 0, profilesWritten: 1 });
  });

  it("sends an immediate step to the queue, and a redelivered batch starts nothing new", async () => {
    const { queue, ingest } = campaignHarness();
    const batch = [order("c-1", T0 - 60_000)];

    await ingestBatch(ingest(), batch);
    const again = await ingestBatch(ingest(), batch);

    expect(queue.keys()).toEqual([`thanks#c-1#${T0 - 60_000}#0`]);
    expect(again.summary.intents).toBe(0);
  });

  it("keeps intents in the profile's outbox when the queue is down, fails the records, and the redelivery hands them on", async () => {
    const { h, queue, ingest } = campaignHarness();
    queue.failNext = 1;
    const batch = [order("c-1", T0 - 60_000)];

    const first = await ingestBatch(ingest(), batch);
    const kept = h.profiles.items.get("c-1")?.profile.oi?.map((i) => i.key);
    const second = await ingestBatch(ingest(), batch);

    expect(first.failed.size).toBe(1);
    expect(kept).toEqual([`thanks#c-1#${T0 - 60_000}#0`]);
    expect(second.failed.size).toBe(0);
    expect(queue.keys()).toEqual(kept);
    expect(h.profiles.items.get("c-1")?.profile.oi).toBeUndefined();
  });

  it("starts no journey for events older than a day (a backfill), though they are folded", async () => {
    const { h, timers, queue, ingest } = campaignHarness();

    const { summary } = await ingestBatch(ingest(), [
      addToCart("c-1", T0 - 2 * DAY),
      order("c-2", T0 - 2 * DAY),
    ]);

    expect(summary.intents).toBe(0);
    expect(timers.pending()).toEqual([]);
    expect(queue.messages).toEqual([]);
    expect(h.profiles.items.get("c-1")?.profile.ct).toBeDefined();
  });
});

describe("startTransitionJourneys", () => {
  const entered = (customerId: string, at: number) => ({
    messageId: `m-${customerId}-${at}`,
    body: JSON.stringify({
      id: `${customerId}#lapsed#entered#${at}`,
      customerId,
      segmentId: "lapsed",
      kind: "entered",
      at,
      version: 1,
    }),
  });

  it("starts the win-back journey: the first step queued, the delayed one timed; redelivery yields the same keys", async () => {
    const queue = new InMemorySendQueue();
    const timers = new InMemorySendTimers();
    const deps = { library: library(winBack, cart), sends: { queue, timers }, clock: new ManualClock(T0) };

    const first = await startTransitionJourneys(deps, [entered("c-1", T0)]);
    await startTransitionJourneys(deps, [entered("c-1", T0)]);

    expect(first.failed.size).toBe(0);
    expect(first.summary).toMatchObject({ journeys: 1, intents: 2, enqueued: 1, timed: 1 });
    expect(queue.keys()).toEqual([`win-back#c-1#${T0}#0`, `win-back#c-1#${T0}#0`]);
    expect(timers.pending().map((i) => i.key)).toEqual([`win-back#c-1#${T0}#1`]);
  });

  it("fails back a malformed message and one whose intents the queue refused, and nothing else", async () => {
    const queue = new InMemorySendQueue();
    const deps = {
      library: library(winBack),
      sends: { queue, timers: new InMemorySendTimers() },
      clock: new ManualClock(T0),
    };
    queue.failNext = 1;

    const { failed, summary } = await startTransitionJourneys(deps, [
      { messageId: "bad", body: "{not json" },
      entered("c-1", T0),
    ]);

    expect([...failed].sort()).toEqual(["bad", `m-c-1-${T0}`]);
    expect(summary).toMatchObject({ malformed: 1, failed: 1 });
  });

  it("fails a transition back when its change cannot be recorded, before starting its journeys", async () => {
    const queue = new InMemorySendQueue();
    const recorded: string[] = [];
    const changes = {
      record: async (transition: { id: string; customerId: string }) => {
        if (transition.customerId === "c-2") throw new Error("table unreachable");
        recorded.push(transition.id);
      },
    };
    const deps = {
      library: library(winBack),
      sends: { queue, timers: new InMemorySendTimers() },
      clock: new ManualClock(T0),
      changes,
    };

    const { failed, summary } = await startTransitionJourneys(deps, [entered("c-1", T0), entered("c-2", T0)]);

    expect([...failed]).toEqual([`m-c-2-${T0}`]);
    expect(summary).toMatchObject({ failed: 1, journeys: 1 });
    expect(recorded).toEqual([`c-1#lapsed#entered#${T0}`]);
    expect(queue.keys()).toEqual([`win-back#c-1#${T0}#0`]);
  });
});

describe("fanOutSchedule", () => {
  function member(customerId: string, segments: readonly string[]): Profile {
    const profile = emptyProfile(customerId, T0);
    return { ...profile, sg: Object.fromEntries(segments.map((s) => [s, { e: T0 - DAY, v: 1 }])) };
  }

  async function store(count: number): Promise<InMemoryProfileStore> {
    const profiles = new InMemoryProfileStore();
    for (let i = 0; i < count; i++) {
      await profiles.put(member(`c-${i}`, i % 3 === 0 ? ["vip"] : []), undefined);
    }
    return profiles;
  }

  it("hands one journey per audience member to the queue, page by page, keyed by the tick", async () => {
    const queue = new InMemorySendQueue();
    const profiles = await store(50);
    const deps = {
      library: library(newsletter),
      profiles,
      sends: { queue, timers: new InMemorySendTimers() },
      clock: new ManualClock(T0),
    };
    const tick = { campaignId: "newsletter", time: "2026-11-23T09:00:27Z" };

    const summary = await fanOutSchedule(deps, tick, { pageSize: 4 });
    await fanOutSchedule(deps, tick, { pageSize: 4 });

    const members = Array.from({ length: 50 }, (_, i) => i).filter((i) => i % 3 === 0);
    expect(summary).toMatchObject({ scanned: 50, members: members.length, intents: members.length });
    expect(new Set(queue.keys())).toEqual(
      new Set(members.map((i) => `newsletter#c-${i}#2026-11-23T09:00:00.000Z#0`)),
    );
    expect(queue.messages).toHaveLength(2 * members.length);
  });

  it("refuses an unknown or unscheduled campaign", async () => {
    const deps = {
      library: library(newsletter, cart),
      profiles: await store(1),
      sends: { queue: new InMemorySendQueue(), timers: new InMemorySendTimers() },
      clock: new ManualClock(T0),
    };
    await expect(fanOutSchedule(deps, { campaignId: "nope" })).rejects.toBeInstanceOf(ScheduleFanOutError);
    await expect(fanOutSchedule(deps, { campaignId: "cart" })).rejects.toThrow(/not scheduled/);
  });
});
