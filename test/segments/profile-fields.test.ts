import { describe, expect, it } from "vitest";
import { foldEvents, ORDER_CATEGORIES_MAX, type Profile, recentSends } from "#shared/domain/profile/index.js";
import { NOW, rawEvents } from "../factories/events.js";
import { at, CUSTOMER, events, profileOf } from "./helpers.js";

const line = (category: string, id = `p-${category}`) => ({
  product_id: id,
  category,
  price: 10,
  quantity: 1,
});

describe("orders per category (o.k)", () => {
  it("counts each order once per distinct category it contains", () => {
    const profile = profileOf(
      NOW,
      rawEvents.orderCompleted(
        { order_id: "o-1", products: [line("books"), line("books", "p-2"), line("toys")] },
        at(NOW - 3000),
      ),
      rawEvents.orderCompleted({ order_id: "o-2", products: [line("books")] }, at(NOW - 2000)),
      rawEvents.orderCompleted(
        { order_id: "o-3", products: [{ product_id: "p-x", price: 10, quantity: 1 }] },
        at(NOW - 1000),
      ),
    );
    expect(profile.o?.n).toBe(3);
    expect(profile.o?.k).toEqual({ books: 2, toys: 1 });
  });

  it("keeps at most ORDER_CATEGORIES_MAX categories: the first seen", () => {
    const orders = Array.from({ length: ORDER_CATEGORIES_MAX + 3 }, (_, i) =>
      rawEvents.orderCompleted({ order_id: `o-${i}`, products: [line(`c${i}`)] }, at(NOW - 100_000 + i)),
    );
    const again = rawEvents.orderCompleted(
      { order_id: "o-again", products: [line("c0"), line("c21")] },
      at(NOW),
    );
    const profile = profileOf(NOW, ...orders, again);
    const counts = profile.o?.k ?? {};
    expect(Object.keys(counts)).toHaveLength(ORDER_CATEGORIES_MAX);
    expect(counts.c0).toBe(2);
    expect(counts.c21).toBeUndefined();
  });

  it("adds up the same in any batch split and order", () => {
    const batch = events(
      rawEvents.orderCompleted({ order_id: "o-1", products: [line("books")] }, at(NOW - 5000)),
      rawEvents.orderCompleted({ order_id: "o-2", products: [line("books"), line("toys")] }, at(NOW - 4000)),
    );
    const whole = foldEvents(undefined, CUSTOMER, batch, NOW).profile;
    const [first, second] = [batch[1], batch[0]];
    if (first === undefined || second === undefined) throw new Error("two events");
    const split = foldEvents(
      foldEvents(undefined, CUSTOMER, [first], NOW).profile,
      CUSTOMER,
      [second],
      NOW,
    ).profile;
    expect(split.o?.k).toEqual(whole.o?.k);
    expect(whole.o?.k).toEqual({ books: 2, toys: 1 });
  });
});

describe("segment fields on the profile", () => {
  it("the fold carries sg, rfm, sc, cl, ss, tm and ob through untouched, and does not share them", () => {
    const base: Profile = {
      ...profileOf(NOW - 1000, rawEvents.page({}, at(NOW - 1000))),
      sg: { "cart-abandoners": { e: NOW - 500, v: 2 } },
      rfm: { r: 5, f: 4, m: 3, at: NOW - 10_000 },
      sc: { purchase_30d: { p: 0.8, t: "high", at: NOW - 20_000 } },
      cl: { c: 3, at: NOW - 20_000 },
      ss: ["vip-list"],
      tm: NOW + 3_600_000,
      ob: [
        {
          id: `${CUSTOMER}#cart-abandoners#entered#${NOW - 500}`,
          customerId: CUSTOMER,
          segmentId: "cart-abandoners",
          kind: "entered",
          at: NOW - 500,
          version: 2,
        },
      ],
    };
    const snapshot = structuredClone(base);
    const { profile, changed } = foldEvents(
      base,
      CUSTOMER,
      events(rawEvents.productViewed({}, at(NOW))),
      NOW,
    );
    expect(changed).toBe(true);
    for (const key of ["sg", "rfm", "sc", "cl", "ss", "tm", "ob"] as const)
      expect(profile[key], key).toEqual(snapshot[key]);
    expect(profile.ss).not.toBe(base.ss);
    expect(profile.cl).not.toBe(base.cl);
    expect(base).toEqual(snapshot);
  });
});

describe("recentSends", () => {
  it("counts opens and clicks over the last N sends of the ring", () => {
    const raws = [];
    for (let i = 0; i < 6; i++) {
      raws.push(rawEvents.emailDelivered({ message_id: `m-${i}` }, at(NOW - 10_000 + i * 100)));
      if (i >= 3)
        raws.push(rawEvents.emailClicked({ message_id: `m-${i}` }, at(NOW - 10_000 + i * 100 + 50)));
    }
    const profile = profileOf(NOW, ...raws);
    expect(recentSends(profile, 3)).toEqual({ sends: 3, opened: 3, clicked: 3 });
    expect(recentSends(profile, 4)).toEqual({ sends: 4, opened: 3, clicked: 3 });
    expect(recentSends(profile, 50)).toEqual({ sends: 6, opened: 3, clicked: 3 });
  });
});
