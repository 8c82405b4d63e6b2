import { describe, expect, it } from "vitest";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import { intentsForEvents, intentsForTransition } from "#shared/domain/campaigns/index.js";
import { parseEvent } from "#shared/domain/events/index.js";
import type { SegmentTransition } from "#shared/domain/segments/index.js";
import { campaign, events, fold, library } from "../campaigns/helpers.js";
import { rawEvents } from "../factories/events.js";
import { addToCart, HOUR, harness, record, T0 } from "./segment-harness.js";

const historical = { tailor: { historical: true } };

describe("the historical flag", () => {
  it("is read from context.tailor.historical === true only", () => {
    const at = new Date(T0).toISOString();
    const read = (context: unknown) => {
      const parsed = parseEvent(
        rawEvents.productAdded({}, { timestamp: at, context: { tailor: context } }),
        T0,
      );
      return parsed.ok ? parsed.event.historical : "refused";
    };
    expect(read({ historical: true })).toBe(true);
    expect(read({ historical: "true" })).toBeUndefined();
    expect(read({})).toBeUndefined();
    expect(read(undefined)).toBeUndefined();
  });
});

describe("intentsForEvents with history", () => {
  const cart = campaign({
    steps: [{ delay: "4h", template: "cart-abandonment" }],
    exitWhen: ["Order Completed"],
  });
  const welcome = campaign({ id: "welcome", trigger: { event: "Identify" }, reentry: "once" });
  const lib = library(cart, welcome);

  it("opens no journey for a recent historical event that would open one live", () => {
    const live = events(rawEvents.productAdded({}, { timestamp: T0 }));
    const past = events(rawEvents.productAdded({}, { timestamp: T0, context: historical }));
    expect(intentsForEvents(lib, undefined, fold(undefined, T0, live), live, T0)).toHaveLength(1);
    expect(intentsForEvents(lib, undefined, fold(undefined, T0, past), past, T0)).toEqual([]);
  });

  it("takes history as what came before, as a previous batch would be: it opens nothing itself", () => {
    const history = [
      rawEvents.identify({ email: "a@example.com" }, { timestamp: T0 - 5 * HOUR, context: historical }),
      rawEvents.productAdded({}, { timestamp: T0 - 5 * HOUR, context: historical }),
    ];
    const batch = events(
      ...history,
      rawEvents.productAdded({}, { timestamp: T0 }),
      rawEvents.identify({}, { timestamp: T0 }),
    );
    const intents = intentsForEvents(lib, undefined, fold(undefined, T0, batch), batch, T0);
    // The live add comes more than the reentry (4 h) after the historical one: it opens. The welcome's one
    // occurrence was the historical sign-up: an imported customer is not new.
    expect(intents.map((i) => [i.campaignId, i.startedAt])).toEqual([[cart.id, T0]]);
    const soon = events(
      rawEvents.productAdded({}, { timestamp: T0 - HOUR, context: historical }),
      rawEvents.productAdded({}, { timestamp: T0 }),
    );
    expect(intentsForEvents(lib, undefined, fold(undefined, T0, soon), soon, T0)).toEqual([]);
  });

  it("starts nothing from a historical segment transition", () => {
    const winBack = campaign({ id: "win-back", trigger: { segment: "lapsed", on: "entered" } });
    const transition: SegmentTransition = {
      id: `c-1#lapsed#entered#${T0}`,
      customerId: "c-1",
      segmentId: "lapsed",
      kind: "entered",
      at: T0,
      version: 1,
    };
    expect(intentsForTransition(library(winBack), transition)).toHaveLength(1);
    expect(intentsForTransition(library(winBack), { ...transition, historical: true })).toEqual([]);
  });
});

describe("ingestBatch with history", () => {
  const historicalAdd = (customerId: string, at: number) => {
    const live = addToCart(customerId, at);
    const raw = JSON.parse(new TextDecoder().decode(live.data));
    return record({ ...raw, messageId: `${raw.messageId}-h`, context: historical });
  };

  it("updates memberships, sizes and timers but publishes no transition for history alone", async () => {
    const h = harness();
    const { summary } = await ingestBatch(h.ingest(), [historicalAdd("c-1", T0 - HOUR)]);
    const stored = h.profiles.items.get("c-1")?.profile;
    expect(stored?.sg?.["cart-abandoners"]).toEqual({ e: T0, v: 1 });
    expect(h.store.counters.get("cart-abandoners")).toBe(1);
    expect(h.timers.of("c-1")).toEqual([stored?.tm]);
    expect(stored?.ob).toBeUndefined();
    expect(h.queue.messages).toEqual([]);
    expect(summary).toMatchObject({
      transitions: 1,
      transitionsPublished: 0,
      outboxWrites: 0,
      profilesWritten: 1,
    });
  });

  it("publishes the transition when a live event is in the customer's batch", async () => {
    const h = harness();
    await ingestBatch(h.ingest(), [historicalAdd("c-1", T0 - 2 * HOUR), addToCart("c-1", T0 - HOUR)]);
    expect(h.queue.messages).toEqual([expect.objectContaining({ customerId: "c-1", kind: "entered" })]);
    expect(h.queue.messages[0]?.historical).toBeUndefined();
  });

  it("invalidates the membership index's rebuild once per batch before writing, for history alone only", async () => {
    const h = harness();
    const invalidations: { at: number; profileWritten: boolean }[] = [];
    const memberIndexStatus = {
      invalidate: async (at: number) => {
        invalidations.push({
          at,
          profileWritten: h.profiles.items.has("c-1") || h.profiles.items.has("c-2"),
        });
      },
    };
    const deps = () => {
      const ingest = h.ingest();
      return ingest.segments === undefined
        ? ingest
        : { ...ingest, segments: { ...ingest.segments, memberIndexStatus } };
    };

    await ingestBatch(deps(), [historicalAdd("c-1", T0 - HOUR), historicalAdd("c-2", T0 - HOUR)]);
    const afterImport = [...invalidations];
    await ingestBatch(deps(), [addToCart("c-3", T0 - HOUR)]);

    expect(afterImport).toEqual([{ at: T0, profileWritten: false }]);
    expect(h.profiles.items.get("c-2")?.profile.sg?.["cart-abandoners"]).toBeDefined();
    expect(invalidations).toEqual(afterImport);
  });
});
