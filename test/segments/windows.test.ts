import { describe, expect, it } from "vitest";
import { HOUR_MS } from "#shared/domain/profile/index.js";
import { rawEvents } from "../factories/events.js";
import { at, evaluateRule, profileOf } from "./helpers.js";

const MINUTE = 60_000;
/** 2026-11-20T10:20Z. */
const NOW = Date.UTC(2026, 10, 20, 10, 20);
const viewedIn24h = { event: { name: "Product Viewed", within: "24h", atLeast: 1 } };

describe("hourly windows (up to 48 h): the current hour and the N − 1 whole hours before", () => {
  it("does not count an event exactly 24 h ago (its hour is the 25th)", () => {
    const profile = profileOf(NOW, rawEvents.productViewed({}, at(NOW - 24 * HOUR_MS)));
    const evaluation = evaluateRule(viewedIn24h, profile, NOW);
    expect(evaluation.member).toBe(false);
    expect(evaluation.reason.seen).toBe("0 times");
  });

  it("counts an event at the start of the oldest hour in the window, 23 h 20 min ago", () => {
    const start = Date.UTC(2026, 10, 19, 11);
    const profile = profileOf(NOW, rawEvents.productViewed({}, at(start)));
    const evaluation = evaluateRule(viewedIn24h, profile, NOW);
    expect(evaluation.member).toBe(true);
    // It leaves at 11:00 today, when its hour is the 25th.
    expect(evaluation.nextChangeAt).toBe(Date.UTC(2026, 10, 20, 11));
  });

  it("does not count the last millisecond of the hour before the window", () => {
    const profile = profileOf(NOW, rawEvents.productViewed({}, at(Date.UTC(2026, 10, 19, 11) - 1)));
    expect(evaluateRule(viewedIn24h, profile, NOW).member).toBe(false);
  });

  it("moves at hour boundaries: a millisecond before 11:00 the event counts, at 11:00 it does not", () => {
    const profile = profileOf(NOW, rawEvents.productViewed({}, at(Date.UTC(2026, 10, 19, 11, 45))));
    const boundary = Date.UTC(2026, 10, 20, 11);
    expect(evaluateRule(viewedIn24h, profile, boundary - 1).member).toBe(true);
    expect(evaluateRule(viewedIn24h, profile, boundary).member).toBe(false);
  });

  it("counts in the current hour, and 1h means the current clock hour only", () => {
    const profile = profileOf(NOW, rawEvents.productViewed({}, at(Date.UTC(2026, 10, 20, 10, 1))));
    const rule = { event: { name: "Product Viewed", within: "1h" } };
    expect(evaluateRule(rule, profile, NOW).member).toBe(true);
    expect(evaluateRule(rule, profile, NOW).nextChangeAt).toBe(Date.UTC(2026, 10, 20, 11));
    const earlier = profileOf(NOW, rawEvents.productViewed({}, at(Date.UTC(2026, 10, 20, 9, 59))));
    expect(evaluateRule(rule, earlier, NOW).member).toBe(false);
  });

  it("keeps counting correctly when evaluated later than the fold, with no new event", () => {
    const profile = profileOf(NOW, rawEvents.productAdded({}, at(NOW - 2 * HOUR_MS)));
    const rule = { event: { name: "Product Added", within: "48h" } };
    const first = evaluateRule(rule, profile, NOW);
    expect(first.member).toBe(true);
    expect(first.nextChangeAt).toBe(Date.UTC(2026, 10, 22, 8));
    expect(evaluateRule(rule, profile, Date.UTC(2026, 10, 22, 7, 59)).member).toBe(true);
    expect(evaluateRule(rule, profile, Date.UTC(2026, 10, 22, 8)).member).toBe(false);
  });

  it("reports the time a count crosses its threshold, not the first bucket that leaves", () => {
    const profile = profileOf(
      NOW,
      rawEvents.productViewed({}, at(NOW - 20 * HOUR_MS)),
      rawEvents.productViewed({}, at(NOW - 10 * HOUR_MS)),
      rawEvents.productViewed({}, at(NOW - 2 * HOUR_MS)),
    );
    // At least 2: still true when the first view leaves (2 left); false when the second leaves.
    const evaluation = evaluateRule(
      { event: { name: "Product Viewed", within: "24h", atLeast: 2 } },
      profile,
      NOW,
    );
    expect(evaluation.member).toBe(true);
    expect(evaluation.reason.seen).toBe("3 times");
    expect(evaluation.nextChangeAt).toBe(Date.UTC(2026, 10, 20, 0) + 24 * HOUR_MS);
  });

  it("atMost and exactly can become true by time, as events leave", () => {
    const profile = profileOf(
      NOW,
      rawEvents.productViewed({}, at(NOW - 5 * HOUR_MS)),
      rawEvents.productViewed({}, at(NOW - 1 * HOUR_MS)),
    );
    const atMostOne = evaluateRule(
      { event: { name: "Product Viewed", within: "6h", atMost: 1 } },
      profile,
      NOW,
    );
    expect(atMostOne.member).toBe(false);
    // The view 5 h ago (05:20, hour 05:00) leaves at 11:00.
    expect(atMostOne.nextChangeAt).toBe(Date.UTC(2026, 10, 20, 11));
    const exactlyTwo = evaluateRule(
      { event: { name: "Product Viewed", within: "6h", exactly: 2 } },
      profile,
      NOW,
    );
    expect(exactlyTwo.member).toBe(true);
    expect(exactlyTwo.nextChangeAt).toBe(Date.UTC(2026, 10, 20, 11));
    const moreThanTwo = evaluateRule(
      { event: { name: "Product Viewed", within: "6h", moreThan: 2 } },
      profile,
      NOW,
    );
    expect(moreThanTwo.member).toBe(false);
    expect(moreThanTwo.nextChangeAt).toBeUndefined();
  });
});

describe("daily windows (beyond 48 h): today (UTC) and the N − 1 whole days before", () => {
  const rule = { event: { name: "Order Completed", within: "3d" } };

  it("counts from 00:00 UTC two days ago, and not the minute before", () => {
    const inside = profileOf(NOW, rawEvents.orderCompleted({}, at(Date.UTC(2026, 10, 18))));
    expect(evaluateRule(rule, inside, NOW).member).toBe(true);
    expect(evaluateRule(rule, inside, NOW).nextChangeAt).toBe(Date.UTC(2026, 10, 21));
    const outside = profileOf(NOW, rawEvents.orderCompleted({}, at(Date.UTC(2026, 10, 18) - MINUTE)));
    expect(evaluateRule(rule, outside, NOW).member).toBe(false);
  });

  it("72h is counted by the day, like 3d", () => {
    const profile = profileOf(NOW, rawEvents.orderCompleted({}, at(Date.UTC(2026, 10, 18, 0, 5))));
    const hours = evaluateRule({ event: { name: "Order Completed", within: "72h" } }, profile, NOW);
    expect(hours.member).toBe(true);
    expect(hours.reason.text).toBe("Order Completed at least once in the last 3 d");
  });

  it("reaches back 90 days", () => {
    const profile = profileOf(NOW, rawEvents.orderCompleted({}, at(Date.UTC(2026, 7, 23, 12))));
    expect(evaluateRule({ event: { name: "Order Completed", within: "90d" } }, profile, NOW).member).toBe(
      true,
    );
    expect(evaluateRule({ event: { name: "Order Completed", within: "89d" } }, profile, NOW).member).toBe(
      false,
    );
  });
});

describe("property filters", () => {
  it("counts only product lines with the product id or category, one per line", () => {
    const profile = profileOf(
      NOW,
      rawEvents.productViewed({ product_id: "p-1", category: "books" }, at(NOW - HOUR_MS)),
      rawEvents.productViewed({ product_id: "p-2", category: "books" }, at(NOW - HOUR_MS)),
      rawEvents.productViewed({ product_id: "p-3", category: "toys" }, at(NOW - HOUR_MS)),
      rawEvents.orderCompleted(
        {
          products: [
            { product_id: "p-1", category: "books", price: 5, quantity: 1 },
            { product_id: "p-3", category: "toys", price: 5, quantity: 1 },
          ],
        },
        at(NOW - 30 * MINUTE),
      ),
    );
    const count = (name: string, where: Record<string, string>) =>
      evaluateRule({ event: { name, where, within: "24h", atLeast: 1 } }, profile, NOW).reason.seen;
    expect(count("Product Viewed", { product_id: "p-1" })).toBe("1 time");
    expect(count("Product Viewed", { category: "books" })).toBe("2 times");
    expect(count("Product Viewed", { category: "books", product_id: "p-2" })).toBe("1 time");
    expect(count("Order Completed", { category: "toys" })).toBe("1 time");
    expect(count("Order Completed", { product_id: "p-2" })).toBe("0 times");
  });
});

describe("all-time counts, noEvent", () => {
  it("counts known kinds and custom events by name without a window", () => {
    const profile = profileOf(
      NOW,
      rawEvents.custom("Products Searched", {}, at(NOW - 100 * 24 * HOUR_MS)),
      rawEvents.custom("Products Searched", {}, at(NOW - HOUR_MS)),
      rawEvents.custom("Wishlist Shared", {}, at(NOW - HOUR_MS)),
      rawEvents.cartViewed({}, at(NOW - HOUR_MS)),
    );
    const searched = evaluateRule({ event: { name: "Products Searched", atLeast: 2 } }, profile, NOW);
    expect(searched.member).toBe(true);
    expect(searched.reason.text).toBe("Products Searched at least 2 times ever");
    expect(searched.nextChangeAt).toBeUndefined();
    expect(evaluateRule({ event: { name: "cart viewed", exactly: 1 } }, profile, NOW).member).toBe(true);
  });

  it("noEvent holds until an event happens, and can end only by the window sliding past one", () => {
    const none = profileOf(NOW, rawEvents.page({}, at(NOW)));
    const rule = { noEvent: { name: "Order Completed", within: "7d" } };
    const empty = evaluateRule(rule, none, NOW);
    expect(empty.member).toBe(true);
    expect(empty.reason.node).toBe("noEvent");
    expect(empty.reason.text).toBe("no Order Completed in the last 7 d");
    expect(empty.nextChangeAt).toBeUndefined();
    const ordered = profileOf(NOW, rawEvents.orderCompleted({}, at(Date.UTC(2026, 10, 15, 8))));
    const recent = evaluateRule(rule, ordered, NOW);
    expect(recent.member).toBe(false);
    expect(recent.nextChangeAt).toBe(Date.UTC(2026, 10, 22));
  });
});
