import { marshall } from "@aws-sdk/util-dynamodb";
import { describe, expect, it } from "vitest";
import { itemSizeBytes } from "#shared/aws/dynamo-item-size.js";
import type { TailorEvent } from "#shared/domain/events/index.js";
import {
  AFFINITY_HALF_LIFE_MS,
  affinityAt,
  averageOrderValue,
  CUSTOM_NAMES_MAX,
  cartValue,
  countInWindow,
  DAY_MS,
  DEDUP_MAX_IDS,
  DEDUP_WINDOW_MS,
  dedupBytesPerId,
  EMAIL_RING_SIZE,
  emailEngagement,
  emptyProfile,
  estimateDedupBytes,
  FoldInputError,
  foldEvents,
  HOUR_MS,
  LIFECYCLE_ACTIVE_DAYS,
  LIFECYCLE_LAPSED_DAYS,
  lastAt,
  lifecycleAt,
  lifecycleNextChangeAt,
  type Profile,
} from "#shared/domain/profile/index.js";
import {
  type EnvelopeOptions,
  NOW,
  parsed,
  type RawEvent,
  rawEvents,
  rawTrack,
} from "../factories/events.js";

const CUSTOMER = "user-1";

/** Parses raw events, each at its own time, with `now` far enough ahead to accept them all. */
function events(...raws: RawEvent[]): TailorEvent[] {
  return raws.map((raw) => parsed(raw, Number.MAX_SAFE_INTEGER - DAY_MS));
}

/** Envelope options for an event at `ms`. */
const at = (ms: number, extra: EnvelopeOptions = {}): EnvelopeOptions => ({ timestamp: ms, ...extra });

function fold(current: Profile | undefined, batch: readonly TailorEvent[], now = NOW): Profile {
  return foldEvents(current, CUSTOMER, batch, now).profile;
}

function jsonBytes(profile: Profile): number {
  return Buffer.byteLength(JSON.stringify(profile));
}

/** Every value is JSON data: no undefined, no non-finite numbers, no class instances. */
function assertPlainJson(value: unknown, path = "$"): void {
  if (value === null || typeof value === "string" || typeof value === "boolean") return;
  if (typeof value === "number") {
    expect(Number.isFinite(value), `${path} is finite`).toBe(true);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      assertPlainJson(item, `${path}[${i}]`);
    });
    return;
  }
  expect(typeof value, `${path} is an object`).toBe("object");
  expect(Object.getPrototypeOf(value), `${path} is a plain object`).toBe(Object.prototype);
  for (const [key, child] of Object.entries(value ?? {})) {
    expect(child, `${path}.${key} is defined`).not.toBeUndefined();
    assertPlainJson(child, `${path}.${key}`);
  }
}

describe("emptyProfile and the fold contract", () => {
  it("an empty profile is a new lead with no data", () => {
    const profile = emptyProfile(CUSTOMER, NOW);
    expect(profile).toMatchObject({ customerId: CUSTOMER, version: 0, lc: { s: "new_lead", at: NOW } });
    assertPlainJson(profile);
  });

  it("the fold is pure: it never mutates its input and never changes the version", () => {
    // Prepare
    const current = { ...fold(undefined, events(rawEvents.identify({}, at(NOW - HOUR_MS)))), version: 7 };
    const snapshot = structuredClone(current);
    // Act
    const result = foldEvents(current, CUSTOMER, events(rawEvents.productViewed({}, at(NOW))), NOW);
    // Assess
    expect(current).toEqual(snapshot);
    expect(result.profile.version).toBe(7);
    expect(result.profile).not.toBe(current);
    expect(result).toMatchObject({ applied: 1, duplicates: 0, changed: true });
  });

  it("the profile is plain JSON data after folding every kind of event", () => {
    const t = NOW - DAY_MS;
    const profile = fold(
      undefined,
      events(
        rawEvents.identify({ plan: "gold" }, at(t)),
        rawEvents.page({}, at(t + 1)),
        rawEvents.productViewed({}, at(t + 2)),
        rawEvents.productAdded({}, at(t + 3)),
        rawEvents.productRemoved({}, at(t + 4)),
        rawEvents.cartViewed({}, at(t + 5)),
        rawEvents.checkoutStarted({}, at(t + 6)),
        rawEvents.orderCompleted({}, at(t + 7)),
        rawEvents.orderRefunded({ total: 10 }, at(t + 8)),
        rawEvents.emailDelivered({}, at(t + 9)),
        rawEvents.emailOpened({}, at(t + 10)),
        rawEvents.emailClicked({}, at(t + 11)),
        rawEvents.emailBounced({ bounce_type: "Transient" }, at(t + 12)),
        rawEvents.emailComplained({}, at(t + 13)),
        rawEvents.unsubscribed({}, at(t + 14)),
        rawEvents.consentUpdated({ purpose: "profiling" }, at(t + 15)),
        rawEvents.custom("Wishlist Shared", {}, at(t + 16)),
      ),
    );
    assertPlainJson(profile);
    expect(JSON.parse(JSON.stringify(profile))).toEqual(profile);
  });

  it("refuses events or a profile of another customer", () => {
    const other = events(rawEvents.page({}, { userId: "someone-else" }));
    expect(() => foldEvents(undefined, CUSTOMER, other, NOW)).toThrow(FoldInputError);
    expect(() => foldEvents(emptyProfile("someone-else", NOW), CUSTOMER, [], NOW)).toThrow(FoldInputError);
  });

  it("no events: nothing changed", () => {
    expect(foldEvents(undefined, CUSTOMER, [], NOW)).toMatchObject({
      applied: 0,
      duplicates: 0,
      changed: false,
    });
  });
});

describe("traits and first/last seen", () => {
  it("identify sets traits; the newest event wins; an older one only fills gaps", () => {
    // Prepare
    const first = fold(
      undefined,
      events(
        rawEvents.identify(
          { email: " Ada@Example.COM ", city: "London", plan: "gold" },
          at(NOW - 2 * HOUR_MS),
        ),
      ),
    );
    // Act
    const later = fold(
      first,
      events(rawEvents.identify({ email: "ada@new.example", city: undefined }, at(NOW))),
    );
    const stale = fold(
      later,
      events(rawEvents.identify({ email: "old@example.com", country: "GB" }, at(NOW - DAY_MS))),
    );
    // Assess
    expect(first.t).toMatchObject({
      email: "ada@example.com",
      city: "London",
      first_name: "Ada",
      x: { plan: "gold" },
    });
    expect(later.t?.email).toBe("ada@new.example");
    expect(later.t?.city).toBe("London");
    expect(stale.t?.email).toBe("ada@new.example");
    expect(stale.t?.country).toBe("GB");
  });

  it("device time zone and locale fill gaps but never override explicit traits", () => {
    const device = { context: { timezone: "America/New_York", locale: "en-US" } };
    const fromDevice = fold(undefined, events(rawEvents.page({}, at(NOW - HOUR_MS, device))));
    expect(fromDevice.t).toEqual({ timezone: "America/New_York", locale: "en-US" });
    const explicit = fold(
      undefined,
      events(
        rawEvents.identify({ timezone: "Europe/Paris" }, at(NOW - 2 * HOUR_MS)),
        rawEvents.page({}, at(NOW - HOUR_MS, device)),
      ),
    );
    expect(explicit.t?.timezone).toBe("Europe/Paris");
    expect(explicit.t?.locale).toBe("en-US");
  });

  it("custom traits are capped in count", () => {
    const many = Object.fromEntries(Array.from({ length: 45 }, (_, i) => [`trait_${i}`, i]));
    const profile = fold(undefined, events(rawEvents.identify(many)));
    expect(Object.keys(profile.t?.x ?? {})).toHaveLength(20);
  });

  it("first seen is the earliest event; last seen the latest the customer did", () => {
    const profile = fold(
      undefined,
      events(
        rawEvents.page({}, at(NOW - 3 * DAY_MS)),
        rawEvents.page({}, at(NOW - DAY_MS)),
        rawEvents.emailDelivered({}, at(NOW - HOUR_MS)),
      ),
    );
    expect(profile.fs).toBe(NOW - 3 * DAY_MS);
    expect(profile.ls).toBe(NOW - DAY_MS);
  });
});

describe("counters per event name", () => {
  it("count every kind all time, with the last time of each", () => {
    const profile = fold(
      undefined,
      events(
        rawEvents.productViewed({}, at(NOW - 2 * DAY_MS)),
        rawEvents.productViewed({}, at(NOW - DAY_MS)),
        rawEvents.page({}, at(NOW - HOUR_MS)),
      ),
    );
    expect(profile.k.pv).toMatchObject({ n: 2, l: NOW - DAY_MS });
    expect(profile.k.pg).toMatchObject({ n: 1, l: NOW - HOUR_MS });
    expect(lastAt(profile, "product_viewed")).toBe(NOW - DAY_MS);
    expect(lastAt(profile, "order_completed")).toBeUndefined();
  });

  it(`count custom events by name, at most ${CUSTOM_NAMES_MAX} names, the rest as other`, () => {
    const names = Array.from({ length: CUSTOM_NAMES_MAX + 5 }, (_, i) => `Custom ${i}`);
    const profile = fold(
      undefined,
      events(
        ...names.map((name, i) => rawEvents.custom(name, {}, at(NOW - 1000 + i))),
        rawEvents.custom("Custom 0", {}, at(NOW)),
        rawEvents.custom("__proto__", {}, at(NOW)),
      ),
    );
    expect(profile.x?.["Custom 0"]).toBe(2);
    expect(profile.x?.other).toBe(6);
    expect(Object.keys(profile.x ?? {})).toHaveLength(CUSTOM_NAMES_MAX + 1);
    expect(profile.k.cx?.n).toBe(CUSTOM_NAMES_MAX + 7);
    expect(Object.getPrototypeOf(profile.x)).toBe(Object.prototype);
  });
});

describe("RFM aggregates", () => {
  it("orders: count, first and last time, revenue net of refunds, average order value", () => {
    const profile = fold(
      undefined,
      events(
        rawEvents.orderCompleted({ order_id: "o1", total: 100 }, at(NOW - 10 * DAY_MS)),
        rawEvents.orderCompleted({ order_id: "o2", total: 50.5 }, at(NOW - 2 * DAY_MS)),
        rawEvents.orderRefunded({ order_id: "o1", total: 20 }, at(NOW - DAY_MS)),
      ),
    );
    expect(profile.o).toMatchObject({
      n: 2,
      f: NOW - 10 * DAY_MS,
      l: NOW - 2 * DAY_MS,
      r: 13_050,
      c: "USD",
      rn: 1,
    });
    expect(averageOrderValue(profile)).toBe(6525);
  });

  it("amounts in another currency are not added to revenue but counted apart", () => {
    const profile = fold(
      undefined,
      events(
        rawEvents.orderCompleted({ order_id: "o1", total: 1000, currency: "JPY" }, at(NOW - DAY_MS)),
        rawEvents.orderCompleted({ order_id: "o2", total: 10, currency: "EUR" }, at(NOW)),
      ),
    );
    expect(profile.o).toMatchObject({ n: 2, r: 1000, c: "JPY", fx: 1 });
  });
});

describe("email engagement", () => {
  it("counts deliveries, opens, clicks, bounces and complaints with all-time and recent rates", () => {
    // Prepare: 4 sends; ses-1 opened twice and clicked; ses-2 clicked without a tracked open; ses-3 opened
    const t = NOW - DAY_MS;
    const profile = fold(
      undefined,
      events(
        ...["ses-1", "ses-2", "ses-3", "ses-4"].map((id, i) =>
          rawEvents.emailDelivered({ message_id: id }, at(t + i)),
        ),
        rawEvents.emailOpened({ message_id: "ses-1" }, at(t + 10)),
        rawEvents.emailOpened({ message_id: "ses-1" }, at(t + 11)),
        rawEvents.emailClicked({ message_id: "ses-1" }, at(t + 12)),
        rawEvents.emailClicked({ message_id: "ses-2" }, at(t + 13)),
        rawEvents.emailOpened({ message_id: "ses-3" }, at(t + 14)),
        rawEvents.emailBounced({ message_id: "ses-4", bounce_type: "Transient" }, at(t + 15)),
      ),
    );
    // Act
    const engagement = emailEngagement(profile);
    // Assess
    expect(engagement).toMatchObject({
      delivered: 4,
      opened: 3,
      clicked: 2,
      bounced: 1,
      complained: 0,
      lastOpenAt: t + 14,
      lastClickAt: t + 13,
      openRate: 0.75,
      clickRate: 0.5,
      recentSends: 4,
      recentOpenRate: 0.75,
      recentClickRate: 0.5,
    });
  });

  it(`keeps only the last ${EMAIL_RING_SIZE} sends for recent rates`, () => {
    const sends = 30;
    const delivered = Array.from({ length: sends }, (_, i) =>
      rawEvents.emailDelivered({ message_id: `ses-${i}` }, at(NOW - DAY_MS + i)),
    );
    // the 10 oldest sends were opened, the newest 20 were not
    const opens = Array.from({ length: 10 }, (_, i) =>
      rawEvents.emailOpened({ message_id: `ses-${i}` }, at(NOW - DAY_MS + 100 + i)),
    );
    const profile = fold(fold(undefined, events(...delivered)), events(...opens));
    const engagement = emailEngagement(profile);
    expect(engagement.delivered).toBe(sends);
    expect(engagement.openRate).toBeCloseTo(10 / 30);
    expect(engagement.recentSends).toBe(EMAIL_RING_SIZE);
    expect(profile.e?.r).toHaveLength(EMAIL_RING_SIZE * 9);
  });
});

describe("category affinity", () => {
  it("views weigh less than adds, adds less than purchases", () => {
    const profile = fold(
      undefined,
      events(
        rawEvents.productViewed({ category: "Socks" }, at(NOW)),
        rawEvents.productAdded({ category: "Hats" }, at(NOW)),
        rawEvents.orderCompleted({ products: [{ product_id: "p", category: "Shoes" }] }, at(NOW)),
      ),
    );
    expect(affinityAt(profile, NOW).map((a) => a.category)).toEqual(["Shoes", "Hats", "Socks"]);
  });

  it("decays with a 30-day half-life, both at read time and as new signals arrive", () => {
    const profile = fold(
      undefined,
      events(rawEvents.productAdded({ category: "Hats" }, at(NOW - 60 * DAY_MS))),
    );
    expect(AFFINITY_HALF_LIFE_MS).toBe(30 * DAY_MS);
    expect(affinityAt(profile, NOW - 60 * DAY_MS)).toEqual([{ category: "Hats", score: 3 }]);
    expect(affinityAt(profile, NOW - 30 * DAY_MS)[0]?.score).toBeCloseTo(1.5, 3);
    expect(affinityAt(profile, NOW)[0]?.score).toBeCloseTo(0.75, 3);
    const refreshed = fold(profile, events(rawEvents.productViewed({ category: "Socks" }, at(NOW))));
    expect(affinityAt(refreshed, NOW)).toEqual([
      { category: "Socks", score: 1 },
      { category: "Hats", score: 0.75 },
    ]);
  });

  it("an older signal folded later counts decayed, as if it had come in order", () => {
    const old = rawEvents.productAdded({ category: "Hats" }, at(NOW - 30 * DAY_MS));
    const recent = rawEvents.productViewed({ category: "Hats" }, at(NOW));
    const inOrder = fold(fold(undefined, events(old)), events(recent));
    const reversed = fold(fold(undefined, events(recent)), events(old));
    expect(affinityAt(reversed, NOW)).toEqual(affinityAt(inOrder, NOW));
    expect(affinityAt(inOrder, NOW)[0]?.score).toBeCloseTo(2.5, 3);
  });

  it("keeps the top 10 categories", () => {
    const views = Array.from({ length: 15 }, (_, i) =>
      rawEvents.productViewed(
        { product_id: `p${i}`, category: `Cat ${i}`, quantity: 1 },
        at(NOW - (15 - i) * DAY_MS),
      ),
    );
    const profile = fold(undefined, events(...views, rawEvents.productAdded({ category: "Cat 0" }, at(NOW))));
    const categories = affinityAt(profile, NOW).map((a) => a.category);
    expect(categories).toHaveLength(10);
    expect(categories[0]).toBe("Cat 0");
    expect(categories).not.toContain("Cat 1");
  });
});

describe("recent behaviour windows", () => {
  it('answers "viewed product X twice in 24 h" with per-product hourly counts', () => {
    const profile = fold(
      undefined,
      events(
        rawEvents.productViewed({ product_id: "x" }, at(NOW - 20 * HOUR_MS)),
        rawEvents.productViewed({ product_id: "x" }, at(NOW - 2 * HOUR_MS)),
        rawEvents.productViewed({ product_id: "y", category: "Hats" }, at(NOW - HOUR_MS)),
        rawEvents.productViewed({ product_id: "x" }, at(NOW - 30 * HOUR_MS)),
      ),
    );
    const day = NOW - 24 * HOUR_MS;
    expect(countInWindow(profile, "product_viewed", day, NOW, { productId: "x" })).toBe(2);
    expect(countInWindow(profile, "Product Viewed", NOW - 48 * HOUR_MS, NOW, { productId: "x" })).toBe(3);
    expect(countInWindow(profile, "product_viewed", day, NOW, { category: "Hats" })).toBe(1);
    expect(countInWindow(profile, "product_viewed", day, NOW)).toBe(3);
    expect(countInWindow(profile, "product_added", day, NOW, { productId: "x" })).toBe(0);
    expect(countInWindow(profile, "page", day, NOW)).toBe(0);
  });

  it("uses daily buckets for windows up to 90 days", () => {
    const profile = fold(
      undefined,
      events(
        rawEvents.page({}, at(NOW - 10 * DAY_MS)),
        rawEvents.page({}, at(NOW - 40 * DAY_MS)),
        rawEvents.page({}, at(NOW - 89 * DAY_MS)),
        rawEvents.page({}, at(NOW - 200 * DAY_MS)),
      ),
    );
    expect(countInWindow(profile, "page", NOW - 7 * DAY_MS, NOW)).toBe(0);
    expect(countInWindow(profile, "page", NOW - 30 * DAY_MS, NOW)).toBe(1);
    expect(countInWindow(profile, "page", NOW - 90 * DAY_MS, NOW)).toBe(3);
    expect(profile.k.pg?.n).toBe(4);
  });

  it("prunes buckets as time passes, and keeps answering relative to a later now", () => {
    // Prepare
    const first = fold(undefined, events(rawEvents.productViewed({ product_id: "x" }, at(NOW))), NOW);
    // Act: later folds move the anchor
    const later = fold(first, events(rawEvents.page({}, at(NOW + 50 * HOUR_MS))), NOW + 50 * HOUR_MS);
    const muchLater = fold(later, events(rawEvents.page({}, at(NOW + 95 * DAY_MS))), NOW + 95 * DAY_MS);
    // Assess
    expect(countInWindow(first, "product_viewed", NOW - HOUR_MS, NOW + 10 * HOUR_MS)).toBe(1);
    expect(later.k.pv?.h).toBeUndefined();
    expect(later.pc).toBeUndefined();
    expect(countInWindow(later, "product_viewed", NOW - DAY_MS, NOW + 50 * HOUR_MS)).toBe(1);
    expect(muchLater.k.pv?.d).toBeUndefined();
    expect(muchLater.k.pv?.n).toBe(1);
  });

  it('answers "added to cart, no purchase since" with lastAt', () => {
    const profile = fold(
      undefined,
      events(
        rawEvents.orderCompleted({}, at(NOW - 5 * DAY_MS)),
        rawEvents.productAdded({}, at(NOW - 2 * HOUR_MS)),
      ),
    );
    expect(lastAt(profile, "product_added")).toBeGreaterThan(lastAt(profile, "order_completed") ?? 0);
  });

  it("keeps at most 20 products, dropping the least recently active", () => {
    const views = Array.from({ length: 25 }, (_, i) =>
      rawEvents.productViewed({ product_id: `p${i}` }, at(NOW - HOUR_MS + i)),
    );
    const profile = fold(undefined, events(...views));
    expect(profile.pc).toHaveLength(20);
    expect(profile.pc?.[0]?.i).toBe("p24");
    expect(countInWindow(profile, "product_viewed", NOW - DAY_MS, NOW, { productId: "p0" })).toBe(0);
    expect(countInWindow(profile, "product_viewed", NOW - DAY_MS, NOW)).toBe(25);
  });
});

describe("recently viewed and the cart", () => {
  it("recently viewed: newest first, de-duplicated, at most 10", () => {
    const ids = ["a", "b", "c", "a", ...Array.from({ length: 10 }, (_, i) => `p${i}`), "c"];
    const profile = fold(
      undefined,
      events(...ids.map((id, i) => rawEvents.productViewed({ product_id: id }, at(NOW - 100 + i)))),
    );
    expect(profile.rv).toEqual(["c", "p9", "p8", "p7", "p6", "p5", "p4", "p3", "p2", "p1"]);
  });

  it("Product Added/Removed update the cart; Order Completed clears it", () => {
    const t = NOW - DAY_MS;
    const cart = fold(
      undefined,
      events(
        rawEvents.productAdded({ product_id: "a", price: 10, quantity: 2, category: "Hats" }, at(t)),
        rawEvents.productAdded({ product_id: "b", price: 5 }, at(t + 1)),
        rawEvents.productAdded({ product_id: "a", price: 10, category: "Hats" }, at(t + 2)),
        rawEvents.productRemoved({ product_id: "b" }, at(t + 3)),
      ),
    );
    expect(cart.ct).toEqual({ u: t + 3, c: "USD", i: [{ p: "a", q: 3, m: 1000, k: "Hats" }] });
    expect(cartValue(cart)).toBe(3000);
    const ordered = fold(cart, events(rawEvents.orderCompleted({}, at(t + 4))));
    expect(ordered.ct?.i).toEqual([]);
    expect(cartValue(ordered)).toBe(0);
  });

  it("a cart event older than the cart's last change is ignored", () => {
    const t = NOW - DAY_MS;
    const ordered = fold(undefined, events(rawEvents.orderCompleted({}, at(t))));
    const late = fold(ordered, events(rawEvents.productAdded({ product_id: "a" }, at(t - 1))));
    expect(late.ct?.i).toEqual([]);
  });

  it("Cart Viewed with products replaces the cart's contents", () => {
    const profile = fold(
      undefined,
      events(
        rawEvents.productAdded({ product_id: "a", price: 1 }, at(NOW - 10)),
        rawEvents.cartViewed({ products: [{ product_id: "z", price: 2, quantity: 4 }] }, at(NOW)),
      ),
    );
    expect(profile.ct?.i).toEqual([{ p: "z", q: 4, m: 200 }]);
    expect(cartValue(profile)).toBe(800);
  });
});

describe("lifecycle", () => {
  const ACTIVE = LIFECYCLE_ACTIVE_DAYS * DAY_MS;
  const LAPSED = LIFECYCLE_LAPSED_DAYS * DAY_MS;

  it("moves new_lead → active → repeat_buyer with orders, and on to lapsed and churned with time", () => {
    // Prepare
    const lead = fold(undefined, events(rawEvents.identify({}, at(NOW - 5 * DAY_MS))));
    const o1 = NOW - 2 * DAY_MS;
    const o2 = NOW - DAY_MS;
    // Act
    const active = fold(lead, events(rawEvents.orderCompleted({ order_id: "1" }, at(o1))));
    const repeat = fold(active, events(rawEvents.orderCompleted({ order_id: "2" }, at(o2))));
    // Assess
    expect(lead.lc).toEqual({ s: "new_lead", at: NOW - 5 * DAY_MS });
    expect(active.lc).toEqual({ s: "active", at: o1 });
    expect(repeat.lc).toEqual({ s: "repeat_buyer", at: o2 });
    expect(lifecycleAt(repeat, o2 + ACTIVE)).toEqual({ s: "repeat_buyer", at: o2 });
    expect(lifecycleAt(repeat, o2 + ACTIVE + 1)).toEqual({ s: "lapsed", at: o2 + ACTIVE });
    expect(lifecycleAt(repeat, o2 + LAPSED)).toEqual({ s: "lapsed", at: o2 + ACTIVE });
    expect(lifecycleAt(repeat, o2 + LAPSED + 1)).toEqual({ s: "churned", at: o2 + LAPSED });
    expect(lifecycleNextChangeAt(repeat, NOW)).toBe(o2 + ACTIVE + 1);
    expect(lifecycleNextChangeAt(repeat, o2 + ACTIVE + 1)).toBe(o2 + LAPSED + 1);
    expect(lifecycleNextChangeAt(repeat, o2 + LAPSED + 1)).toBeUndefined();
  });

  it("a fold evaluates the stage at now, and a new order brings a churned customer back", () => {
    const oldOrder = NOW - 200 * DAY_MS;
    const churned = fold(undefined, events(rawEvents.orderCompleted({ order_id: "1" }, at(oldOrder))));
    expect(churned.lc).toEqual({ s: "churned", at: oldOrder + LAPSED });
    const back = fold(churned, events(rawEvents.orderCompleted({ order_id: "2" }, at(NOW))));
    expect(back.lc).toEqual({ s: "repeat_buyer", at: NOW });
  });
});

describe("consent and suppression", () => {
  it("records consent per purpose; the newest decision wins", () => {
    const profile = fold(
      undefined,
      events(
        rawEvents.consentUpdated({ purpose: "marketing_email", granted: true }, at(NOW - 10)),
        rawEvents.consentUpdated({ purpose: "profiling", granted: false, source: "settings" }, at(NOW - 5)),
      ),
    );
    const stale = fold(
      profile,
      events(rawEvents.consentUpdated({ purpose: "profiling", granted: true }, at(NOW - 9))),
    );
    expect(stale.c).toEqual({
      marketing_email: { g: true, at: NOW - 10, src: "signup_form" },
      profiling: { g: false, at: NOW - 5, src: "settings" },
    });
  });

  it("an unsubscribe withdraws marketing consent and suppresses; a newer consent lifts it", () => {
    const unsubscribed = fold(undefined, events(rawEvents.unsubscribed({ list: "weekly" }, at(NOW - 10))));
    expect(unsubscribed.s).toEqual({ unsubscribe: { r: "weekly", at: NOW - 10 } });
    expect(unsubscribed.c?.marketing_email).toEqual({ g: false, at: NOW - 10, src: "unsubscribe" });
    const resubscribed = fold(unsubscribed, events(rawEvents.consentUpdated({}, at(NOW))));
    expect(resubscribed.s).toBeUndefined();
    expect(resubscribed.c?.marketing_email?.g).toBe(true);
    const lateUnsubscribe = fold(resubscribed, events(rawEvents.unsubscribed({}, at(NOW - 5))));
    expect(lateUnsubscribe.s).toBeUndefined();
  });

  it("hard bounces and complaints suppress; soft bounces do not; a new address lifts a hard bounce", () => {
    const soft = fold(undefined, events(rawEvents.emailBounced({ bounce_type: "Transient" }, at(NOW - 10))));
    expect(soft.s).toBeUndefined();
    const hard = fold(
      undefined,
      events(
        rawEvents.identify({ email: "old@example.com" }, at(NOW - 20)),
        rawEvents.emailBounced({ bounce_type: "Permanent" }, at(NOW - 10)),
        rawEvents.emailComplained({ campaign_id: "spring" }, at(NOW - 5)),
      ),
    );
    expect(hard.s).toEqual({
      hard_bounce: { r: "Permanent bounce", at: NOW - 10 },
      complaint: { r: "spring", at: NOW - 5 },
    });
    const moved = fold(hard, events(rawEvents.identify({ email: "new@example.com" }, at(NOW))));
    expect(moved.s).toEqual({ complaint: { r: "spring", at: NOW - 5 } });
  });
});

describe("dedup of re-delivered events", () => {
  const batch = () =>
    events(
      rawEvents.identify({}, at(NOW - 3 * HOUR_MS)),
      rawEvents.productViewed({}, at(NOW - 2 * HOUR_MS)),
      rawEvents.productAdded({}, at(NOW - HOUR_MS)),
      rawEvents.orderCompleted({}, at(NOW - 10)),
      rawEvents.emailOpened({}, at(NOW)),
    );

  it("folding the same batch twice gives the identical profile and reports duplicates", () => {
    const same = batch();
    const once = foldEvents(undefined, CUSTOMER, same, NOW);
    const twice = foldEvents(once.profile, CUSTOMER, same, NOW + HOUR_MS);
    expect(once).toMatchObject({ applied: same.length, duplicates: 0, changed: true });
    expect(twice).toMatchObject({ applied: 0, duplicates: same.length, changed: false });
    expect(twice.profile).toEqual(once.profile);
  });

  it("duplicates inside one batch are skipped", () => {
    const [view] = events(rawEvents.productViewed({}, at(NOW)));
    if (view === undefined) throw new Error("no event");
    const result = foldEvents(undefined, CUSTOMER, [view, view, { ...view, timestamp: NOW - 1 }], NOW);
    expect(result).toMatchObject({ applied: 1, duplicates: 2 });
    expect(result.profile.k.pv?.n).toBe(1);
  });

  it(`remembers a messageId for at least ${DEDUP_WINDOW_MS / HOUR_MS} h of processing time, then forgets it`, () => {
    const same = batch();
    const first = fold(undefined, same, NOW);
    const retriedLate = foldEvents(first, CUSTOMER, same, NOW + DEDUP_WINDOW_MS);
    expect(retriedLate.changed).toBe(false);
    const muchLater = foldEvents(first, CUSTOMER, same, NOW + DEDUP_WINDOW_MS + 2 * HOUR_MS);
    expect(muchLater.applied).toBe(same.length);
    expect(Object.keys(muchLater.profile.dd)).toHaveLength(1);
  });

  it(`caps the memory at ${DEDUP_MAX_IDS} ids, forgetting the oldest first`, () => {
    // Prepare: a bot sending more events in an hour than the cap
    const flood = events(
      ...Array.from({ length: DEDUP_MAX_IDS + 100 }, (_, i) => rawEvents.page({}, at(NOW - 100_000 + i))),
    );
    // Act
    const profile = fold(fold(undefined, flood.slice(0, 200), NOW - HOUR_MS), flood.slice(200), NOW);
    // Assess
    expect(Object.values(profile.dd).join("")).toHaveLength(DEDUP_MAX_IDS * dedupBytesPerId());
    const hour = Math.floor(NOW / HOUR_MS);
    expect(profile.dd[String(hour)]).toHaveLength((DEDUP_MAX_IDS - 100) * dedupBytesPerId());
    expect(profile.dd[String(hour - 1)]).toHaveLength(100 * dedupBytesPerId());
    expect(foldEvents(profile, CUSTOMER, flood.slice(-DEDUP_MAX_IDS), NOW).changed).toBe(false);
    expect(foldEvents(profile, CUSTOMER, flood.slice(0, 1), NOW).applied).toBe(1);
  });

  it("costs 8 bytes per remembered id", () => {
    const profile = fold(undefined, batch());
    expect(dedupBytesPerId()).toBe(8);
    expect(Object.values(profile.dd).join("")).toHaveLength(5 * dedupBytesPerId());
    expect(estimateDedupBytes(100)).toBeGreaterThanOrEqual(800);
    expect(estimateDedupBytes(100)).toBeLessThan(1100);
  });
});

describe("order of events", () => {
  const shuffledDay = (): TailorEvent[] => {
    const t = NOW - 3 * DAY_MS;
    return events(
      rawEvents.identify({ city: "Paris" }, at(t)),
      rawEvents.productViewed({ product_id: "a", category: "Hats" }, at(t + 1000)),
      rawEvents.productAdded({ product_id: "a", category: "Hats", price: 20 }, at(t + 2000)),
      rawEvents.productViewed({ product_id: "b", category: "Shoes" }, at(t + 3000)),
      rawEvents.identify({ city: "Lyon" }, at(t + 4000)),
      rawEvents.emailDelivered({ message_id: "s1" }, at(t + 5000)),
      rawEvents.emailOpened({ message_id: "s1" }, at(t + 6000)),
      rawEvents.orderCompleted({ products: [{ product_id: "a", category: "Hats" }] }, at(t + DAY_MS)),
      rawEvents.productAdded({ product_id: "b", price: 3 }, at(t + 2 * DAY_MS)),
      rawEvents.orderRefunded({ total: 5 }, at(t + 2 * DAY_MS + 1)),
      rawEvents.unsubscribed({}, at(t + 2 * DAY_MS + 2)),
      rawEvents.productViewed({ product_id: "c" }, at(NOW - HOUR_MS)),
    );
  };

  it("an out-of-order batch folds exactly like the sorted batch", () => {
    const sorted = shuffledDay();
    const shuffled = [sorted[7], sorted[2], sorted[11], sorted[0], sorted[9], sorted[4], sorted[1]]
      .concat([sorted[10], sorted[3], sorted[6], sorted[8], sorted[5]])
      .filter((e): e is TailorEvent => e !== undefined);
    expect(shuffled).toHaveLength(sorted.length);
    expect(fold(undefined, shuffled)).toEqual(fold(undefined, sorted));
    expect(fold(undefined, shuffled).t?.city).toBe("Lyon");
    expect(fold(undefined, shuffled).rv).toEqual(["c", "b", "a"]);
  });

  it("splitting a batch in two and folding twice equals folding it whole", () => {
    const all = shuffledDay();
    const whole = fold(undefined, all);
    for (const cut of [1, 4, 7, 11]) {
      const split = fold(fold(undefined, all.slice(0, cut)), all.slice(cut));
      expect(split, `cut at ${cut}`).toEqual(whole);
    }
  });

  it("counters and buckets add up whatever order the folds come in", () => {
    const all = shuffledDay();
    const whole = fold(undefined, all);
    const backwards = fold(fold(undefined, all.slice(6)), all.slice(0, 6));
    expect(backwards.k).toEqual(whole.k);
    expect(backwards.pc?.map((p) => p.i).sort()).toEqual(whole.pc?.map((p) => p.i).sort());
    expect(backwards.o).toEqual(whole.o);
    expect(backwards.fs).toBe(whole.fs);
    expect(backwards.ls).toBe(whole.ls);
    expect(backwards.t?.city).toBe("Lyon");
    expect(backwards.ct).toEqual(whole.ct);
    expect(backwards.s).toEqual(whole.s);
  });
});

describe("size", () => {
  it("a typical profile is billed as one 1 KB write unit", () => {
    // Prepare: identified three weeks ago with one browsing session and an order, three campaign emails since
    // (one opened), and a session today; each session folded when it happened, as the ingest would
    const t = NOW - 20 * DAY_MS;
    const sessions: { now: number; raws: RawEvent[] }[] = [
      {
        now: t + HOUR_MS,
        raws: [
          rawEvents.identify(
            { email: "ada.lovelace@example.com", first_name: "Ada", last_name: "Lovelace", country: "GB" },
            at(t, { context: { timezone: "Europe/London", locale: "en-GB" } }),
          ),
          rawEvents.consentUpdated({}, at(t + 1)),
          rawEvents.page({}, at(t + 2)),
          rawEvents.productViewed({ product_id: "sku-1001" }, at(t + 3)),
          rawEvents.productViewed({ product_id: "sku-1002" }, at(t + 4)),
          rawEvents.productAdded({ product_id: "sku-1002" }, at(t + 5)),
          rawEvents.checkoutStarted({ products: [{ product_id: "sku-1002", category: "Shoes" }] }, at(t + 6)),
          rawEvents.orderCompleted({ products: [{ product_id: "sku-1002", category: "Shoes" }] }, at(t + 7)),
        ],
      },
      ...["ses-a", "ses-b", "ses-c"].map((id, i) => ({
        now: NOW - (5 - i) * DAY_MS + HOUR_MS,
        raws: [rawEvents.emailDelivered({ message_id: id }, at(NOW - (5 - i) * DAY_MS))],
      })),
      {
        now: NOW - 4 * DAY_MS + 2 * HOUR_MS,
        raws: [rawEvents.emailOpened({ message_id: "ses-a" }, at(NOW - 4 * DAY_MS))],
      },
      {
        now: NOW,
        raws: [
          rawEvents.page({}, at(NOW - 2 * HOUR_MS)),
          rawEvents.productViewed({ product_id: "sku-1003", category: "Hats" }, at(NOW - HOUR_MS)),
          rawEvents.productAdded({ product_id: "sku-1003", category: "Hats" }, at(NOW - HOUR_MS)),
        ],
      },
    ];
    // Act
    let profile: Profile | undefined;
    for (const session of sessions) profile = fold(profile, events(...session.raws), session.now);
    // Assess
    if (profile === undefined) throw new Error("no profile");
    const billed = itemSizeBytes(marshall(profile));
    console.info(`typical profile: ${billed} bytes as a DynamoDB item, ${jsonBytes(profile)} bytes of JSON`);
    expect(profile.k.pv?.n).toBe(3);
    expect(billed).toBeLessThan(1024);
    // the JSON bound counts the one remembered order (`o.ro`, about 45 bytes of JSON) refunds and cancels need,
    // and the open hours `sendTime: best` reads (`oh`, about 35 bytes of JSON for the one open)
    expect(jsonBytes(profile)).toBeLessThan(1380);
  });

  it("a year of heavy daily activity stays bounded", () => {
    // Prepare: every day, 40 events: views of 15 products, adds, removes, pages, custom events, emails;
    // an order every 3 days. One fold per day, as the ingest would do.
    let profile: Profile | undefined;
    const start = NOW - 365 * DAY_MS;
    const sizes: number[] = [];
    for (let day = 0; day < 365; day++) {
      const t = start + day * DAY_MS;
      const raws: RawEvent[] = [];
      for (let i = 0; i < 15; i++) {
        raws.push(
          rawEvents.productViewed(
            { product_id: `sku-${(day * 7 + i) % 300}`, category: `Category ${(day + i) % 25}` },
            at(t + i * 60_000),
          ),
        );
      }
      for (let i = 0; i < 5; i++) {
        raws.push(
          rawEvents.productAdded(
            { product_id: `sku-${(day + i) % 300}`, category: `Category ${i}` },
            at(t + HOUR_MS + i),
          ),
        );
        raws.push(rawEvents.page({ url: `https://shop.example/${i}` }, at(t + 2 * HOUR_MS + i)));
        raws.push(rawEvents.custom(`Custom ${(day * 5 + i) % 80}`, {}, at(t + 3 * HOUR_MS + i)));
      }
      raws.push(rawEvents.productRemoved({ product_id: `sku-${day % 300}` }, at(t + 4 * HOUR_MS)));
      raws.push(rawEvents.emailDelivered({ message_id: `ses-${day}` }, at(t + 5 * HOUR_MS)));
      raws.push(rawEvents.emailOpened({ message_id: `ses-${day}` }, at(t + 6 * HOUR_MS)));
      raws.push(rawEvents.emailClicked({ message_id: `ses-${day}` }, at(t + 6 * HOUR_MS + 1)));
      raws.push(
        rawTrack(
          "Checkout Started",
          { order_id: `o-${day}`, products: [{ product_id: "sku-1" }] },
          at(t + 7 * HOUR_MS),
        ),
      );
      raws.push(rawEvents.identify({ city: `City ${day % 3}` }, at(t + 8 * HOUR_MS)));
      if (day % 3 === 0) raws.push(rawEvents.orderCompleted({ order_id: `o-${day}` }, at(t + 9 * HOUR_MS)));
      while (raws.length < 40) raws.push(rawEvents.page({}, at(t + 10 * HOUR_MS + raws.length)));
      profile = fold(profile, events(...raws), t + 12 * HOUR_MS);
      sizes.push(jsonBytes(profile));
    }
    // Assess: counts kept growing, the item did not
    expect(profile?.k.pv?.n).toBe(365 * 15);
    const steady = Math.max(...sizes.slice(100));
    const billed = profile === undefined ? 0 : itemSizeBytes(marshall(profile));
    console.info(
      `heavy profile after a year: ${billed} bytes as a DynamoDB item; JSON at most ${steady} bytes`,
    );
    expect(steady).toBeLessThan(8 * 1024);
    expect(billed).toBeLessThan(6 * 1024);
    // no growth: the last months are no bigger than the middle of the year
    expect(Math.max(...sizes.slice(300))).toBeLessThanOrEqual(Math.max(...sizes.slice(100, 200)) + 256);
  });
});
