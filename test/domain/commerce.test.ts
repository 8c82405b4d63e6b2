import { marshall } from "@aws-sdk/util-dynamodb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { describeProfile } from "#cli/profile-summary.js";
import { readableProfile } from "#shared/app/privacy/readable-profile.js";
import { itemSizeBytes } from "#shared/aws/dynamo-item-size.js";
import { parseEvent, type TailorEvent } from "#shared/domain/events/index.js";
import { DAY_MS, foldEvents, type Profile, RECENT_ORDERS_MAX } from "#shared/domain/profile/index.js";
import { type EnvelopeOptions, NOW, parsed, type RawEvent, rawTrack } from "../factories/events.js";
import * as spec from "../fixtures/segment-ecommerce-v2.js";

const CUSTOMER = "user-1";
const ORDER = spec.orderCompleted.order_id;
const T = NOW - 10 * DAY_MS;

const at = (ms: number, extra: EnvelopeOptions = {}): EnvelopeOptions => ({ timestamp: ms, ...extra });
const track = (name: string, properties: Record<string, unknown>, ms: number, messageId?: string): RawEvent =>
  rawTrack(name, properties, at(ms, messageId === undefined ? {} : { messageId }));
const completed = (ms: number, properties: Record<string, unknown> = spec.orderCompleted) =>
  track("Order Completed", properties, ms);
const refunded = (ms: number, properties: Record<string, unknown> = spec.orderRefunded, messageId?: string) =>
  track("Order Refunded", properties, ms, messageId);
const cancelled = (
  ms: number,
  properties: Record<string, unknown> = spec.orderCancelled,
  messageId?: string,
) => track("Order Cancelled", properties, ms, messageId);

/** Folds batches of raw events one after the other, as ingest would. */
function foldBatches(...batches: RawEvent[][]): Profile {
  let profile: Profile | undefined;
  for (const batch of batches) {
    const events = batch.map((raw) => parsed(raw, NOW));
    profile = foldEvents(profile, CUSTOMER, events, NOW).profile;
  }
  if (profile === undefined) throw new Error("no batch");
  return profile;
}

const books = (profile: Profile) => ({ n: profile.o?.n, r: profile.o?.r, v: profile.o?.v });

describe("Order Completed (Segment's example)", () => {
  it("keeps both the total (what was paid) and the revenue (excluding shipping and tax)", () => {
    const event = parsed(completed(T));
    expect(event.kind === "order_completed" && event.order).toMatchObject({ total: 2750, revenue: 2500 });
    expect(books(foldBatches([completed(T)]))).toEqual({ n: 1, r: 2750, v: 2500 });
  });

  it("books an order once per order_id, even when re-sent under a new messageId", () => {
    const profile = foldBatches([completed(T)], [completed(T + 1000)]);
    expect(books(profile)).toEqual({ n: 1, r: 2750, v: 2500 });
    expect(profile.k.oc?.n).toBe(1);
  });
});

describe("Order Refunded", () => {
  it("caps the spec's refund (30) at what is left of its order (27.50): revenue never goes negative", () => {
    const profile = foldBatches([completed(T)], [refunded(T + DAY_MS)]);
    expect(books(profile)).toEqual({ n: 1, r: 0, v: 0 });
    expect(profile.o?.rn).toBe(1);
  });

  it("takes a partial refund (priced lines) off the total, and the same share off the revenue", () => {
    const monopoly = spec.orderRefunded.products.slice(0, 1); // 19 × 1
    const profile = foldBatches(
      [completed(T)],
      [refunded(T + DAY_MS, { order_id: ORDER, currency: "USD", products: monopoly })],
    );
    expect(profile.o?.r).toBe(2750 - 1900);
    expect(profile.o?.v).toBe(2500 - Math.round((2500 * 1900) / 2750));
  });

  it("applies a refund delivered twice under one messageId once, and a second refund only up to what is left", () => {
    const partial = { order_id: ORDER, total: 10, currency: "USD" };
    const redelivered = foldBatches(
      [completed(T)],
      [refunded(T + DAY_MS, partial, "refund-1")],
      [refunded(T + DAY_MS, partial, "refund-1")],
    );
    expect(redelivered.o).toMatchObject({ r: 1750, rn: 1 });
    const twice = foldBatches(
      [completed(T)],
      [refunded(T + DAY_MS, { ...partial, total: 20 }, "refund-1")],
      [refunded(T + 2 * DAY_MS, { ...partial, total: 20 }, "refund-2")],
    );
    expect(twice.o).toMatchObject({ r: 0, v: 0, rn: 2 });
  });

  it("takes a full refund (the order id alone) as the whole rest of the order", () => {
    const partial = { order_id: ORDER, total: 5, currency: "USD" };
    const profile = foldBatches([completed(T)], [refunded(T + 1, partial), refunded(T + 2, spec.fullRefund)]);
    expect(books(profile)).toEqual({ n: 1, r: 0, v: 0 });
  });

  it("counts a refund listing lines without prices and books nothing (its amount is unknown)", () => {
    const profile = foldBatches([completed(T)], [refunded(T + 1, spec.partialRefundUnpriced)]);
    expect(profile.o).toMatchObject({ r: 2750, v: 2500, rn: 1 });
  });

  it("keeps and reports a refund of an order it does not remember, never booking it", () => {
    const profile = foldBatches(
      [completed(T)],
      [refunded(T + 1, { ...spec.orderRefunded, order_id: "o-gone" })],
    );
    expect(profile.o).toMatchObject({ n: 1, r: 2750, ur: 1 });
    expect(describeProfile(profile, NOW).join("\n")).toMatch(/unmatched\s+1 refund of orders not remembered/);
    expect(readableProfile(profile).orders).toMatchObject({ count: 1, totalNet: 2750, unmatchedRefunds: 1 });
  });

  it("applies a refund that arrived before its order once the order arrives", () => {
    const profile = foldBatches(
      [refunded(T + 1, { order_id: ORDER, total: 7.5, currency: "USD" })],
      [completed(T)],
    );
    expect(profile.o).toMatchObject({ n: 1, r: 2000, ur: 0, rn: 1 });
  });

  it("forgets orders beyond the newest RECENT_ORDERS_MAX: a refund of the oldest is then unmatched", () => {
    const orders = Array.from({ length: RECENT_ORDERS_MAX + 1 }, (_, i) =>
      completed(T + i * 1000, { order_id: `o-${i}`, total: 10, currency: "USD" }),
    );
    const profile = foldBatches(orders, [refunded(T + DAY_MS, { order_id: "o-0", currency: "USD" })]);
    expect(profile.o?.ro).toHaveLength(RECENT_ORDERS_MAX);
    expect(profile.o).toMatchObject({ n: RECENT_ORDERS_MAX + 1, r: (RECENT_ORDERS_MAX + 1) * 1000, ur: 1 });
  });
});

describe("profiles stored before orders were remembered", () => {
  it("load and fold: revenue starts from the stored total, refunds of their old orders are unmatched", () => {
    const stored = foldEvents(
      undefined,
      CUSTOMER,
      [parsed(completed(T - DAY_MS, { order_id: "old" }))],
      NOW,
    ).profile;
    // the layout before: no revenue `v`, no remembered orders `ro`
    const legacy: Profile = { ...stored, o: { n: 1, r: 4000, c: "USD", f: T - DAY_MS, l: T - DAY_MS } };
    const next = foldEvents(
      legacy,
      CUSTOMER,
      [parsed(refunded(T, { order_id: "old", currency: "USD" })), parsed(completed(T + 1))],
      NOW,
    ).profile;
    expect(next.o).toMatchObject({ n: 2, r: 4000 + 2750, v: 4000 + 2500, ur: 1 });
  });
});

describe("bounds", () => {
  it("keeps the remembered orders bounded under a flood of refunds and cancels of unknown orders", () => {
    const flood = Array.from({ length: 400 }, (_, i) =>
      i % 2 === 0
        ? refunded(T + i, { order_id: `ghost-${i}`, total: 1e12, currency: "USD" })
        : cancelled(T + i, { order_id: `ghost-${i}` }),
    );
    const profile = foldBatches([completed(T - 1)], flood.slice(0, 200), flood.slice(200));
    expect(profile.o).toMatchObject({ n: 1, r: 2750, ur: 200, uc: 200 });
    expect(profile.o?.ro).toHaveLength(RECENT_ORDERS_MAX);
    // the item marshals; the remembered orders stay about 36 bytes each (waiting amounts included)
    const orders = itemSizeBytes(marshall({ ro: profile.o?.ro }));
    expect(orders).toBeLessThan(RECENT_ORDERS_MAX * 48);
    expect(itemSizeBytes(marshall(profile))).toBeGreaterThan(orders);
  });
});

describe("Order Cancelled", () => {
  const other = { order_id: "o-earlier", total: 10, revenue: 8, currency: "USD" };

  it("reverses its order once: count, total, revenue, last order time and lifecycle", () => {
    const before = foldBatches([completed(T - DAY_MS, other)], [completed(T)]);
    expect(before.lc.s).toBe("repeat_buyer");
    const profile = foldBatches(
      [completed(T - DAY_MS, other)],
      [completed(T)],
      [cancelled(T + DAY_MS, spec.orderCancelled, "cancel-1")],
      [cancelled(T + 2 * DAY_MS, spec.orderCancelled, "cancel-2")],
    );
    expect(profile.o).toMatchObject({ n: 1, r: 1000, v: 800, cn: 1, l: T - DAY_MS });
    expect(profile.lc.s).toBe("active");
  });

  it("takes back only what refunds left of the order", () => {
    const partial = { order_id: ORDER, total: 7.5, currency: "USD" };
    const profile = foldBatches([completed(T)], [refunded(T + 1, partial)], [cancelled(T + 2)]);
    expect(books(profile)).toEqual({ n: 0, r: 0, v: 0 });
    expect(profile.o?.l).toBeUndefined();
    expect(profile.lc.s).toBe("new_lead");
  });

  it("ends with the same books in any arrival order: cancel first in one batch, across batches, redelivered", () => {
    const expected = books(foldBatches([completed(T - DAY_MS, other)], [completed(T)], [cancelled(T + 1)]));
    expect(expected).toEqual({ n: 1, r: 1000, v: 800 });
    const cancelFirstInBatch = foldBatches([completed(T - DAY_MS, other), cancelled(T - 5), completed(T)]);
    const cancelFirstAcross = foldBatches([cancelled(T + 1)], [completed(T - DAY_MS, other)], [completed(T)]);
    const redelivered = foldBatches(
      [cancelled(T + 1, spec.orderCancelled, "c-1")],
      [completed(T - DAY_MS, other), completed(T)],
      [cancelled(T + 1, spec.orderCancelled, "c-1"), cancelled(T + 3, spec.orderCancelled, "c-2")],
    );
    for (const profile of [cancelFirstInBatch, cancelFirstAcross, redelivered]) {
      expect(books(profile)).toEqual(expected);
      expect(profile.o?.uc).toBe(0);
    }
  });

  it("keeps and reports a cancel of an order it does not remember", () => {
    const profile = foldBatches([completed(T - DAY_MS, other)], [cancelled(T)]);
    expect(profile.o).toMatchObject({ n: 1, r: 1000, uc: 1 });
    expect(describeProfile(profile, NOW).join("\n")).toMatch(/unmatched\s+1 cancel of orders not remembered/);
    expect(readableProfile(profile).orders).toMatchObject({ unmatchedCancels: 1 });
  });
});

describe("product keys", () => {
  const lines = (products: unknown[]) => {
    const result = parseEvent(completed(T, { order_id: "o-v1", currency: "USD", products }), NOW);
    if (!result.ok) throw result.error;
    const event: TailorEvent = result.event;
    return event.kind === "order_completed" ? event.order.products : [];
  };

  it("reads the v1 key `id`: an order whose lines carry only `id` is booked, not quarantined", () => {
    const products = lines(spec.v1OrderLines.map(({ sku: _sku, ...rest }) => rest));
    expect(products.map((p) => p.productId)).toEqual([
      "507f1f77bcf86cd799439011",
      "505bd76785ebb509fc183733",
    ]);
  });

  it("takes product_id over id over sku as the product id, and keeps sku as the sku", () => {
    expect(lines(spec.v1OrderLines).map((p) => [p.productId, p.sku])).toEqual([
      ["507f1f77bcf86cd799439011", "45790-32"],
      ["505bd76785ebb509fc183733", "46493-32"],
    ]);
    expect(
      lines([{ product_id: "pid", id: "v1", sku: "s" }, { sku: "s-only" }]).map((p) => p.productId),
    ).toEqual(["pid", "s-only"]);
  });

  it("still refuses a line with none of the three, naming the field and the rule", () => {
    const result = parseEvent(completed(T, { order_id: "o", products: [{ name: "no key" }] }), NOW);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.issues).toContainEqual(
        expect.objectContaining({ path: "properties.products[0].product_id", rule: "required" }),
      );
    }
  });

  it("reads the spec's Product Added and Product Viewed examples", () => {
    for (const [name, properties] of [
      ["Product Added", spec.productAdded],
      ["Product Viewed", spec.productViewed],
    ] as const) {
      const event = parsed(track(name, properties, T));
      expect("product" in event && event.product).toMatchObject({
        productId: properties.product_id,
        sku: "G-32",
      });
    }
  });
});

describe("books under any sequence of completes, refunds and cancels (property)", () => {
  const ids = ["a", "b", "c", "d"];
  const action = fc.oneof(
    fc.record({ kind: fc.constant("complete" as const), id: fc.constantFrom(...ids) }),
    fc.record({
      kind: fc.constant("refund" as const),
      id: fc.constantFrom(...ids, "unknown"),
      amount: fc.option(fc.integer({ min: 0, max: 150_000 }), { nil: undefined }),
    }),
    fc.record({ kind: fc.constant("cancel" as const), id: fc.constantFrom(...ids, "unknown") }),
  );
  type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

  /** Each order's total and revenue (minor units): a re-sent Order Completed carries the same. */
  const amounts = fc.array(
    fc.record({ total: fc.integer({ min: 0, max: 100_000 }), revenue: fc.integer({ min: 0, max: 100_000 }) }),
    { minLength: ids.length, maxLength: ids.length },
  );
  type Amounts = typeof amounts extends fc.Arbitrary<infer A> ? A : never;

  const raw = (a: Action, orders: Amounts, ms: number, messageId: string): RawEvent => {
    switch (a.kind) {
      case "complete": {
        const { total, revenue } = orders[ids.indexOf(a.id)] ?? { total: 0, revenue: 0 };
        const properties = { order_id: a.id, total: total / 100, revenue: revenue / 100, currency: "USD" };
        return track("Order Completed", properties, ms, messageId);
      }
      case "refund":
        return track(
          "Order Refunded",
          a.amount === undefined ? { order_id: a.id } : { order_id: a.id, total: a.amount / 100 },
          ms,
          messageId,
        );
      case "cancel":
        return track("Order Cancelled", { order_id: a.id }, ms, messageId);
    }
  };

  it("revenue stays within 0 and the sum of the orders' totals, the count within 0 and the orders, in any arrival order", () => {
    fc.assert(
      fc.property(
        fc.array(action, { minLength: 1, maxLength: 24 }),
        amounts,
        fc.integer({ min: 1, max: 6 }),
        fc.infiniteStream(fc.nat()),
        (actions, orders, batches, shuffle) => {
          const events = actions.map((a, i) => raw(a, orders, T + i * 1000, `m-${i}`));
          // each order completed books once: the bound is the sum of their totals
          const placed = new Set(actions.flatMap((a) => (a.kind === "complete" ? [a.id] : [])));
          const sum = [...placed].reduce((s, id) => s + (orders[ids.indexOf(id)]?.total ?? 0), 0);
          const inOrder = foldBatches(events);
          // the same events delivered in another order, split in batches (times unchanged)
          const keys = events.map(() => shuffle.next().value);
          const arrival = events.map((e, i) => ({ e, k: keys[i] ?? 0 })).sort((x, y) => x.k - y.k);
          const split = Array.from({ length: batches }, (_, b) =>
            arrival.filter((_, i) => i % batches === b).map(({ e }) => e),
          ).filter((batch) => batch.length > 0);
          const shuffled = foldBatches(...split);
          for (const profile of [inOrder, shuffled]) {
            const o = profile.o ?? { n: 0, r: 0, v: 0 };
            expect(o.r).toBeGreaterThanOrEqual(0);
            expect(o.r).toBeLessThanOrEqual(sum);
            expect(o.v ?? 0).toBeGreaterThanOrEqual(0);
            expect(o.n).toBeGreaterThanOrEqual(0);
            expect(o.n).toBeLessThanOrEqual(placed.size);
          }
          expect(books(shuffled)).toEqual(books(inOrder));
        },
      ),
      { numRuns: 300 },
    );
  });
});
