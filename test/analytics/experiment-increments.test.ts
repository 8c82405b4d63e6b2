import { describe, expect, it } from "vitest";
import { CONVERSION_WINDOW_MS, experimentIncrements } from "#shared/domain/analytics/index.js";
import type { TailorEvent } from "#shared/domain/events/index.js";
import { foldEvents, type Profile } from "#shared/domain/profile/index.js";
import { parsed, rawEvents, rawTrack } from "../factories/events.js";

const T0 = Date.UTC(2026, 10, 20, 12);
const HOUR = 3_600_000;
const at = (ms: number) => ({ timestamp: new Date(ms).toISOString() });

/** Folds `events` onto `before` and returns the increments of that batch. */
function batch(before: Profile | undefined, events: readonly TailorEvent[]) {
  const after = foldEvents(before, "user-1", events, T0 + 10 * 24 * HOUR).profile;
  const all = experimentIncrements(before, after, events);
  // Every increment carries the customer's lifecycle stage (the report's segment); compared apart below.
  for (const increment of all)
    expect(increment.segment).toBe(
      (increment.metric === "converted" || increment.metric === "revenue" ? (before ?? after) : after).lc.s,
    );
  return { after, increments: all.map(({ segment: _segment, ...rest }) => rest) };
}

const delivered = (variant: string, ms: number, id = "ses-1") =>
  parsed(
    rawEvents.emailDelivered(
      { message_id: id, campaign_id: "cart", variant },
      { messageId: `d-${id}`, ...at(ms) },
    ),
    T0 + 10 * 24 * HOUR,
  );
const opened = (variant: string, ms: number, n: number, id = "ses-1") =>
  parsed(
    rawEvents.emailOpened(
      { message_id: id, campaign_id: "cart", variant },
      { messageId: `o-${id}-${n}`, ...at(ms) },
    ),
    T0 + 10 * 24 * HOUR,
  );
const clicked = (variant: string, ms: number, n: number, id = "ses-1") =>
  parsed(
    rawEvents.emailClicked(
      { message_id: id, campaign_id: "cart", variant },
      { messageId: `c-${id}-${n}`, ...at(ms) },
    ),
    T0 + 10 * 24 * HOUR,
  );
const order = (ms: number, id: string) =>
  parsed(
    rawEvents.orderCompleted({ order_id: id, total: 50 }, { messageId: `order-${id}`, ...at(ms) }),
    T0 + 10 * 24 * HOUR,
  );

describe("experimentIncrements", () => {
  it("counts a delivery, one unique open and one unique click however often the email is opened", () => {
    const first = batch(undefined, [
      delivered("b", T0),
      opened("b", T0 + 1000, 1),
      opened("b", T0 + 2000, 2),
    ]);
    const second = batch(first.after, [
      opened("b", T0 + 3000, 3),
      clicked("b", T0 + 4000, 1),
      clicked("b", T0 + 5000, 2),
    ]);

    expect(first.increments).toEqual([
      { campaignId: "cart", arm: "b", metric: "delivered", amount: 1 },
      { campaignId: "cart", arm: "b", metric: "opened", amount: 1 },
    ]);
    expect(second.increments).toEqual([{ campaignId: "cart", arm: "b", metric: "clicked", amount: 1 }]);
  });

  it("counts nothing for a re-delivered batch", () => {
    const events = [delivered("a", T0), clicked("a", T0 + 1000, 1)];
    const first = batch(undefined, events);
    const again = batch(first.after, events);

    expect(first.increments.map((i) => i.metric)).toEqual(["delivered", "opened", "clicked"]);
    expect(again.increments).toEqual([]);
  });

  it("credits an order to the last touched campaign's variant within the window, with its revenue", () => {
    const reached = batch(undefined, [delivered("b", T0)]);
    const inside = batch(reached.after, [order(T0 + CONVERSION_WINDOW_MS - 1000, "o-1")]);
    const outside = batch(inside.after, [order(T0 + CONVERSION_WINDOW_MS + HOUR, "o-2")]);

    expect(inside.increments).toEqual([
      { campaignId: "cart", arm: "b", metric: "converted", amount: 1 },
      { campaignId: "cart", arm: "b", metric: "revenue", amount: 5000 },
    ]);
    expect(outside.increments).toEqual([]);
  });

  it("credits an order once, however often it is re-sent under new messageIds", () => {
    const reached = batch(undefined, [delivered("b", T0)]);
    const resent = (ms: number, n: number) =>
      parsed(
        rawEvents.orderCompleted({ order_id: "o-1", total: 50 }, { messageId: `order-o-1-${n}`, ...at(ms) }),
        T0 + 10 * 24 * HOUR,
      );
    const first = batch(reached.after, [resent(T0 + HOUR, 1), resent(T0 + HOUR + 1, 2)]);
    const later = batch(first.after, [resent(T0 + 2 * HOUR, 3)]);

    expect(first.increments.map((i) => i.metric)).toEqual(["converted", "revenue"]);
    expect(later.increments).toEqual([]);
  });

  it("ignores emails without a campaign and variant", () => {
    const untagged = parsed(
      rawEvents.emailDelivered(
        { message_id: "x", campaign_id: undefined, variant: undefined },
        { messageId: "d-x", ...at(T0) },
      ),
      T0 + HOUR,
    );
    expect(batch(undefined, [untagged]).increments).toEqual([]);
  });

  it("credits an order after a holdout decision to the holdout arm", () => {
    const heldOut = parsed(
      rawTrack(
        "Email Held Out",
        { message_id: "cart#user-1#1#0", campaign_id: "cart", variant: "holdout" },
        { messageId: "h-1", ...at(T0) },
      ),
      T0 + 10 * 24 * HOUR,
    );
    const held = batch(undefined, [heldOut]);
    const bought = batch(held.after, [order(T0 + HOUR, "o-9")]);

    expect(held.increments).toEqual([]);
    expect(bought.increments).toEqual([
      { campaignId: "cart", arm: "holdout", metric: "converted", amount: 1 },
      { campaignId: "cart", arm: "holdout", metric: "revenue", amount: 5000 },
    ]);
  });
});
