import { describe, expect, it } from "vitest";
import {
  intentsForEvents,
  intentsForSchedule,
  intentsForTransition,
  ONCE_OCCURRENCE,
} from "#shared/domain/campaigns/index.js";
import type { SegmentTransition } from "#shared/domain/segments/index.js";
import { rawEvents } from "../factories/events.js";
import { CUSTOMER, campaign, DAY, events, fold, HOUR, library, MINUTE } from "./helpers.js";

const T0 = Date.UTC(2026, 2, 10, 10);
const added = (t: number, overrides: Record<string, unknown> = {}) =>
  rawEvents.productAdded(overrides, { timestamp: t });
const ordered = (t: number) => rawEvents.orderCompleted({}, { timestamp: t });

const cart = campaign({
  steps: [
    { delay: "4h", template: "cart-abandonment" },
    { delay: "48h", template: "cart-abandonment" },
  ],
  exitWhen: ["Order Completed"],
});
const lib = library(cart);

/** Runs one ingest batch: the intents it creates and the profile after it. */
function ingest(
  before: ReturnType<typeof fold> | undefined,
  now: number,
  ...raws: ReturnType<typeof added>[]
) {
  const batch = events(...raws);
  const after = fold(before, now, batch);
  return { after, intents: intentsForEvents(lib, before, after, batch, now) };
}

describe("intentsForEvents: one journey per customer per campaign", () => {
  it("starts one journey with every step at its delay after the first add, keyed by the occurrence", () => {
    const { intents } = ingest(
      undefined,
      T0 + MINUTE,
      added(T0),
      added(T0 + 10 * MINUTE),
      added(T0 + 20 * MINUTE),
    );
    expect(intents.map((i) => [i.key, i.step, i.dueAt, i.startedAt])).toEqual([
      [`cart#${CUSTOMER}#${T0}#0`, 0, T0 + 4 * HOUR, T0],
      [`cart#${CUSTOMER}#${T0}#1`, 1, T0 + 48 * HOUR, T0],
    ]);
  });

  it("does not start a second journey for adds in a later batch while the journey is open", () => {
    const first = ingest(undefined, T0, added(T0));
    const second = ingest(first.after, T0 + HOUR, added(T0 + HOUR));
    expect(first.intents).toHaveLength(2);
    expect(second.intents).toEqual([]);
  });

  it("starts a new journey at the first add after an order", () => {
    const first = ingest(undefined, T0, added(T0));
    const second = ingest(
      first.after,
      T0 + 2 * HOUR,
      ordered(T0 + HOUR),
      added(T0 + 2 * HOUR),
      added(T0 + 3 * HOUR),
    );
    expect(second.intents.map((i) => i.occurrence)).toEqual([String(T0 + 2 * HOUR), String(T0 + 2 * HOUR)]);
  });

  it("starts a new journey when the previous add is at least the reentry gap (the journey's span) old", () => {
    const first = ingest(undefined, T0, added(T0));
    const before = ingest(first.after, T0 + 48 * HOUR - MINUTE, added(T0 + 48 * HOUR - MINUTE));
    const atGap = ingest(first.after, T0 + 48 * HOUR, added(T0 + 48 * HOUR));
    expect(before.intents).toEqual([]);
    expect(atGap.intents[0]?.occurrence).toBe(String(T0 + 48 * HOUR));
  });

  it("a replayed batch or a late event creates nothing new", () => {
    const first = ingest(undefined, T0, added(T0, {}), added(T0 + MINUTE));
    const replay = intentsForEvents(
      lib,
      first.after,
      first.after,
      events(added(T0), added(T0 + MINUTE)),
      T0 + HOUR,
    );
    const late = intentsForEvents(lib, first.after, first.after, events(added(T0 - HOUR)), T0 + HOUR);
    expect(replay).toEqual([]);
    expect(late).toEqual([]);
  });

  it("gives the same keys when the same batch is processed twice from the same profile", () => {
    const batch = events(added(T0 + 5 * MINUTE), added(T0));
    const after = fold(undefined, T0 + HOUR, batch);
    const once = intentsForEvents(lib, undefined, after, batch, T0 + HOUR);
    const twice = intentsForEvents(lib, undefined, after, [...batch].reverse(), T0 + HOUR);
    expect(twice).toEqual(once);
    expect(once[0]?.startedAt).toBe(T0);
  });

  it("never makes a step due before now when the batch arrives late", () => {
    const now = T0 + 5 * HOUR;
    const { intents } = ingest(undefined, now, added(T0));
    expect(intents.map((i) => i.dueAt)).toEqual([now, T0 + 48 * HOUR]);
  });

  it("ignores other customers' events and events of other kinds", () => {
    const viewed = events(rawEvents.productViewed({}, { timestamp: T0 }));
    const stranger = events(rawEvents.productAdded({}, { timestamp: T0, userId: "user-2" }));
    const after = fold(undefined, T0, viewed);
    expect(intentsForEvents(lib, undefined, after, viewed, T0)).toEqual([]);
    expect(intentsForEvents(lib, undefined, after, stranger, T0)).toEqual([]);
    expect(intentsForEvents(lib, undefined, after, [...viewed, ...events(added(T0))], T0)).toHaveLength(2);
  });

  it("applies the property filter to the event that would start the journey", () => {
    const shoes = library(campaign({ trigger: { event: "Product Added", where: { category: "Shoes" } } }));
    const batch = events(added(T0, { category: "Hats" }), added(T0 + HOUR * 5, { category: "Shoes" }));
    const after = fold(undefined, T0 + 5 * HOUR, batch);
    const intents = intentsForEvents(shoes, undefined, after, batch, T0 + 5 * HOUR);
    expect(intents.map((i) => i.startedAt)).toEqual([T0 + 5 * HOUR]);
  });

  it("supports in/exists filters and custom events by name", () => {
    const wish = library(
      campaign({
        id: "wish",
        trigger: {
          event: "Wishlist Shared",
          where: { list: { in: ["gifts", "birthday"] }, note: { exists: false } },
        },
      }),
    );
    const ok = events(rawEvents.custom("Wishlist Shared", { list: "gifts" }, { timestamp: T0 }));
    const other = events(rawEvents.custom("Wishlist Shared", { list: "work" }, { timestamp: T0 }));
    const noted = events(
      rawEvents.custom("Wishlist Shared", { list: "gifts", note: "x" }, { timestamp: T0 }),
    );
    const otherName = events(rawEvents.custom("Review Written", { list: "gifts" }, { timestamp: T0 }));
    const run = (batch: typeof ok) =>
      intentsForEvents(wish, undefined, fold(undefined, T0, batch), batch, T0);
    expect(run(ok)).toHaveLength(1);
    expect(run(other)).toEqual([]);
    expect(run(noted)).toEqual([]);
    expect(run(otherName)).toEqual([]);
  });

  it("reentry once: the first matching identify only, with a constant occurrence", () => {
    const welcome = library(
      campaign({
        id: "welcome",
        trigger: { event: "Identify", where: { email: { exists: true } } },
        reentry: "once",
        steps: [{ template: "welcome" }],
      }),
    );
    const first = events(rawEvents.identify({ email: "ada@example.com" }, { timestamp: T0 }));
    const after = fold(undefined, T0, first);
    const intents = intentsForEvents(welcome, undefined, after, first, T0);
    expect(intents.map((i) => [i.key, i.dueAt])).toEqual([[`welcome#${CUSTOMER}#${ONCE_OCCURRENCE}#0`, T0]]);
    const again = events(rawEvents.identify({ email: "ada@example.com" }, { timestamp: T0 + DAY }));
    expect(intentsForEvents(welcome, after, fold(after, T0 + DAY, again), again, T0 + DAY)).toEqual([]);
  });
});

describe("intentsForTransition", () => {
  const winBack = campaign({
    id: "win-back",
    trigger: { segment: "lapsed", on: "entered" },
    steps: [{ template: "welcome" }],
  });
  const lib2 = library(winBack, cart);
  const transition = (kind: "entered" | "exited", segmentId = "lapsed"): SegmentTransition => ({
    id: `${CUSTOMER}#${segmentId}#${kind}#${T0}`,
    customerId: CUSTOMER,
    segmentId,
    kind,
    at: T0,
    version: 1,
  });

  it("starts the campaigns triggered by that segment and direction only", () => {
    expect(intentsForTransition(lib2, transition("entered")).map((i) => i.key)).toEqual([
      `win-back#${CUSTOMER}#${T0}#0`,
    ]);
    expect(intentsForTransition(lib2, transition("exited"))).toEqual([]);
    expect(intentsForTransition(lib2, transition("entered", "vip"))).toEqual([]);
  });
});

describe("intentsForSchedule", () => {
  const newsletter = campaign({
    id: "newsletter",
    trigger: { schedule: "rate(7 days)", audience: "vip" },
    steps: [{ template: "newsletter" }],
  });

  it("one intent per member, keyed by the tick, the same for a re-run tick", () => {
    const tick = Date.UTC(2026, 2, 9, 9);
    const intents = intentsForSchedule(newsletter, ["a", "b"], tick);
    expect(intents.map((i) => i.key)).toEqual([
      "newsletter#a#2026-03-09T09:00:00.000Z#0",
      "newsletter#b#2026-03-09T09:00:00.000Z#0",
    ]);
    expect(intentsForSchedule(newsletter, new Set(["a", "b"]), tick)).toEqual(intents);
    expect(intentsForSchedule(cart, ["a"], tick)).toEqual([]);
  });
});
