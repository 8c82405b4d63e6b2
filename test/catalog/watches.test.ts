import { describe, expect, it } from "vitest";
import { purchasesOfBatch, watchesOfBatch } from "#shared/domain/catalog/index.js";
import { CUSTOMER, DAY, events, fold, HOUR, MINUTE } from "../campaigns/helpers.js";
import { rawEvents } from "../factories/events.js";

const T0 = Date.UTC(2026, 10, 20, 9);
const viewed = (t: number, id = "p-1") => rawEvents.productViewed({ product_id: id }, { timestamp: t });
const added = (t: number, id = "p-1") => rawEvents.productAdded({ product_id: id }, { timestamp: t });

describe("watchesOfBatch: one index write per customer, product, kind and day", () => {
  it("records views and cart adds, the newest of the day, once per product and kind", () => {
    const batch = events(viewed(T0), viewed(T0 + HOUR), added(T0 + 2 * HOUR), viewed(T0, "p-2"));
    const watches = watchesOfBatch(undefined, CUSTOMER, batch, T0 + 3 * HOUR);
    expect(watches).toEqual([
      { productId: "p-1", customerId: CUSTOMER, how: "carted", at: T0 + 2 * HOUR },
      { productId: "p-1", customerId: CUSTOMER, how: "viewed", at: T0 + HOUR },
      { productId: "p-2", customerId: CUSTOMER, how: "viewed", at: T0 },
    ]);
  });

  it("writes nothing for a view the profile already counted that day, and again the next day", () => {
    const first = events(viewed(T0));
    const before = fold(undefined, T0 + MINUTE, first);
    expect(watchesOfBatch(before, CUSTOMER, events(viewed(T0 + 5 * HOUR)), T0 + 5 * HOUR)).toEqual([]);
    // A cart add of the same product that day is another kind: written.
    expect(watchesOfBatch(before, CUSTOMER, events(added(T0 + 5 * HOUR)), T0 + 5 * HOUR)).toHaveLength(1);
    const nextDay = T0 + DAY;
    expect(watchesOfBatch(before, CUSTOMER, events(viewed(nextDay)), nextDay)).toEqual([
      { productId: "p-1", customerId: CUSTOMER, how: "viewed", at: nextDay },
    ]);
  });

  it("ignores other customers' events and views older than the retention", () => {
    const other = rawEvents.productViewed({}, { timestamp: T0, userId: "someone-else" });
    expect(watchesOfBatch(undefined, CUSTOMER, events(other, viewed(T0 - 31 * DAY)), T0)).toEqual([]);
  });

  it("lists the products an order bought, once each", () => {
    const order = rawEvents.orderCompleted(
      {
        products: [
          { product_id: "p-1", price: 5, quantity: 1 },
          { product_id: "p-1", price: 5, quantity: 2 },
          { product_id: "p-3", price: 1, quantity: 1 },
        ],
      },
      { timestamp: T0 },
    );
    expect(purchasesOfBatch(CUSTOMER, events(order, viewed(T0)))).toEqual(["p-1", "p-3"]);
  });
});
