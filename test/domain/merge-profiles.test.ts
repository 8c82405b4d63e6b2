import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TailorEvent } from "#shared/domain/events/index.js";
import { rememberedHashes } from "#shared/domain/profile/dedup.js";
import {
  BOUGHT_PRODUCTS_MAX,
  CART_ITEMS_MAX,
  DAY_MS,
  EMAIL_RING_SIZE,
  emptyProfile,
  foldEvents,
  HOUR_MS,
  IDENTITY_IDS_MAX,
  type IdentityLink,
  mergeProfiles,
  PRODUCT_ACTIVITY_MAX,
  type Profile,
  RECENTLY_VIEWED_MAX,
} from "#shared/domain/profile/index.js";
import { NOW, parsed, type RawEvent, rawEvents, rawProduct, rawTrack } from "../factories/events.js";

const TARGET = "user-1";
const SOURCE = "anon-1";
type Side = "target" | "source";

/** Products with a fixed category each, so the category a profile keeps per product cannot depend on order. */
const PRODUCTS = [
  { product_id: "p1", category: "Shoes" },
  { product_id: "p2", category: "Shoes" },
  { product_id: "p3", category: "Hats" },
  { product_id: "p4", category: "Bags" },
] as const;
const CUSTOM_NAMES = ["Wishlist Shared", "Review Written", "Quiz Done"] as const;

const product = fc.constantFrom(...PRODUCTS);
const line = fc.record({ product, quantity: fc.integer({ min: 1, max: 3 }) });
/** One thing a customer did, without its time, ids or side. */
const action = fc.oneof(
  fc.record({ kind: fc.constant("page" as const) }),
  fc.record({ kind: fc.constantFrom("viewed" as const, "added" as const, "removed" as const), line }),
  fc.record({
    kind: fc.constant("checkout" as const),
    lines: fc.array(line, { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constant("order" as const),
    lines: fc.array(line, { minLength: 1, maxLength: 3 }),
    cents: fc.integer({ min: 0, max: 50_000 }),
  }),
  // every identify carries the same trait names, so "the newest event carrying a trait" is the newest identify
  fc.record({ kind: fc.constant("identify" as const), n: fc.integer({ min: 0, max: 9 }) }),
  fc.record({
    kind: fc.constantFrom("delivered" as const, "opened" as const),
    email: fc.integer({ min: 0, max: 4 }),
  }),
  fc.record({ kind: fc.constant("custom" as const), name: fc.constantFrom(...CUSTOM_NAMES) }),
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

/** Minutes before NOW: mostly within the hourly window (49 h), some up to 100 days back (daily window is 91). */
const minutesAgo = fc.oneof(fc.integer({ min: 0, max: 72 * 60 }), fc.integer({ min: 0, max: 100 * 24 * 60 }));
const history = fc.array(fc.tuple(action, minutesAgo), { maxLength: 30 });

function raw(side: Side, a: Action, index: number, time: number): RawEvent {
  const options = {
    messageId: `${side}-m-${index}`,
    timestamp: time,
    ...(side === "target" ? { userId: TARGET } : { anonymousId: SOURCE }),
  };
  const productOf = (l: { product: (typeof PRODUCTS)[number]; quantity: number }) =>
    rawProduct({ ...l.product, quantity: l.quantity, price: 10 });
  switch (a.kind) {
    case "page":
      return rawEvents.page({}, options);
    case "viewed":
      return rawEvents.productViewed(productOf(a.line), options);
    case "added":
      return rawEvents.productAdded(productOf(a.line), options);
    case "removed":
      return rawEvents.productRemoved(productOf(a.line), options);
    case "checkout":
      return rawEvents.checkoutStarted({ products: a.lines.map(productOf) }, options);
    case "order":
      return rawEvents.orderCompleted(
        {
          order_id: `${side}-o-${index}`,
          total: a.cents / 100,
          revenue: a.cents / 100,
          products: a.lines.map(productOf),
        },
        options,
      );
    case "identify":
      return rawEvents.identify(
        { email: `${side}${a.n}@example.com`, first_name: `N${a.n}`, plan: `plan-${a.n}` },
        options,
      );
    case "delivered":
      return rawEvents.emailDelivered({ message_id: `${side}-ses-${a.email}` }, options);
    case "opened":
      return rawEvents.emailOpened({ message_id: `${side}-ses-${a.email}` }, options);
    case "custom":
      return rawEvents.custom(a.name, {}, options);
  }
}

function events(side: Side, actions: readonly (readonly [Action, number])[]): TailorEvent[] {
  return actions
    .map(([a, ago], index) => parsed(raw(side, a, index, NOW - ago * 60_000)))
    .sort((x, y) => x.timestamp - y.timestamp);
}

/** Folds a time-ordered history in `batches` consecutive batches, as ingest would, all at NOW. */
function foldInBatches(customerId: string, history: readonly TailorEvent[], batches: number): Profile {
  let profile = emptyProfile(customerId, NOW);
  const size = Math.max(1, Math.ceil(history.length / batches));
  for (let from = 0; from < history.length; from += size) {
    profile = foldEvents(profile, customerId, history.slice(from, from + size), NOW).profile;
  }
  return profile;
}

const fold = (customerId: string, list: readonly TailorEvent[], current?: Profile): Profile =>
  foldEvents(current, customerId, list, NOW).profile;

/** The profile marshals as the DynamoDB store marshals it, and reads back equal. */
function expectMarshals(profile: Profile): void {
  expect(unmarshall(marshall(profile, { removeUndefinedValues: true }))).toEqual(profile);
}

const productSeries = (profile: Profile) =>
  Object.fromEntries((profile.pc ?? []).map(({ i, ...series }) => [i, series]));
const books = (profile: Profile) => {
  const { n = 0, r = 0, v = 0, f, l, c } = profile.o ?? {};
  return { n, r, v, f, l, c };
};
const cartLines = (profile: Profile) => (profile.ct?.i ?? []).map((item) => `${item.p}×${item.q}`);

describe("mergeProfiles equals the fold of both histories on the exact fields (property)", () => {
  it("counts, series, books, bought products, dedup, traits and affinity; the rest within its bounds", () => {
    fc.assert(
      fc.property(
        history,
        history,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        (targetActions, sourceActions, targetBatches, sourceBatches) => {
          const targetEvents = events("target", targetActions);
          const sourceEvents = events("source", sourceActions);
          const target = foldInBatches(TARGET, targetEvents, targetBatches);
          const source = foldInBatches(SOURCE, sourceEvents, sourceBatches);
          const before = structuredClone([target, source]);

          const merged = mergeProfiles(target, source, NOW);
          const oracle = fold(TARGET, [
            ...targetEvents,
            ...sourceEvents.map((event) => ({ ...event, customerId: TARGET })),
          ]);

          expect([target, source]).toEqual(before);
          expect(merged.customerId).toBe(TARGET);
          expect(merged.version).toBe(target.version);
          expect({ fs: merged.fs, ls: merged.ls, wa: merged.wa }).toEqual({
            fs: oracle.fs,
            ls: oracle.ls,
            wa: oracle.wa,
          });
          expect(merged.k).toEqual(oracle.k);
          expect(merged.x).toEqual(oracle.x);
          expect(productSeries(merged)).toEqual(productSeries(oracle));
          expect(books(merged)).toEqual(books(oracle));
          expect(new Set(merged.o?.ro?.map(([id]) => id))).toEqual(new Set(oracle.o?.ro?.map(([id]) => id)));
          expect(new Set(merged.bp)).toEqual(new Set(oracle.bp));
          expect(rememberedHashes(merged.dd)).toEqual(rememberedHashes(oracle.dd));
          expect(merged.lc.s).toBe(oracle.lc.s);
          if (target.tu !== source.tu)
            expect({ t: merged.t, tu: merged.tu }).toEqual({ t: oracle.t, tu: oracle.tu });
          expect(merged.e?.uo).toBe(oracle.e?.uo);
          expect(merged.e?.uc).toBe(oracle.e?.uc);

          // affinity: the fold rounds to 3 decimals at each signal, the merge at other points
          const signals = [...targetEvents, ...sourceEvents].length;
          expect(Object.keys(merged.a?.s ?? {}).sort()).toEqual(Object.keys(oracle.a?.s ?? {}).sort());
          expect(merged.a?.t).toBe(oracle.a?.t);
          for (const [category, score] of Object.entries(oracle.a?.s ?? {})) {
            expect(Math.abs((merged.a?.s[category] ?? 0) - score)).toBeLessThanOrEqual(
              0.0005 * (signals + 2),
            );
          }

          // the documented bounds of the approximate fields
          const eitherCart = new Set([...cartLines(target), ...cartLines(source)]);
          for (const lineText of cartLines(merged)) expect(eitherCart).toContain(lineText);
          expect(merged.ct?.i.length ?? 0).toBeLessThanOrEqual(CART_ITEMS_MAX);
          expect(new Set(merged.rv)).toEqual(
            new Set([...(target.rv ?? []), ...(source.rv ?? [])].slice(0, 99)),
          );
          expect(merged.rv?.length ?? 0).toBeLessThanOrEqual(RECENTLY_VIEWED_MAX);
          expect(merged.bp?.length ?? 0).toBeLessThanOrEqual(BOUGHT_PRODUCTS_MAX);
          expect(merged.pc?.length ?? 0).toBeLessThanOrEqual(PRODUCT_ACTIVITY_MAX);
          expect(merged.e?.r.length ?? 0).toBeLessThanOrEqual(EMAIL_RING_SIZE * 9);
          expectMarshals(merged);
        },
      ),
      { numRuns: 150 },
    );
  });
});

const T = NOW - 2 * DAY_MS;
const as = (side: Side, messageId: string, timestamp: number) => ({
  messageId,
  timestamp,
  ...(side === "target" ? { userId: TARGET } : { anonymousId: SOURCE }),
});

describe("consent: the most restrictive decision wins", () => {
  const consent = (side: Side, granted: boolean, at: number, id: string) =>
    parsed(rawEvents.consentUpdated({ granted }, as(side, id, at)));

  it("keeps a denial on either side over a newer grant on the other", () => {
    for (const [deniedSide, grantedSide] of [
      ["source", "target"],
      ["target", "source"],
    ] as const) {
      const denied = consent(deniedSide, false, T, "c-1");
      const granted = consent(grantedSide, true, T + HOUR_MS, "c-2");
      const profiles = {
        target: fold(TARGET, deniedSide === "target" ? [denied] : [granted]),
        source: fold(SOURCE, deniedSide === "source" ? [denied] : [granted]),
      };
      const merged = mergeProfiles(profiles.target, profiles.source, NOW);
      expect(merged.c?.marketing_email).toMatchObject({ g: false, at: T });
    }
  });

  it("of two grants keeps the newer, and a consent event folded after the merge decides as usual", () => {
    const target = fold(TARGET, [consent("target", true, T, "c-1")]);
    const source = fold(SOURCE, [
      consent("source", true, T + HOUR_MS, "c-2"),
      consent("source", false, T, "c-3"),
    ]);
    expect(mergeProfiles(target, source, NOW).c?.marketing_email).toMatchObject({ g: true, at: T + HOUR_MS });

    const denied = mergeProfiles(fold(TARGET, [consent("target", false, T, "c-4")]), source, NOW);
    expect(denied.c?.marketing_email?.g).toBe(false);
    const later = fold(TARGET, [consent("target", true, T + 2 * HOUR_MS, "c-5")], denied);
    expect(later.c?.marketing_email).toMatchObject({ g: true, at: T + 2 * HOUR_MS });
  });
});

describe("cart: the newer cart, with the older cart's other lines unless an order emptied it", () => {
  const add = (side: Side, productId: string, at: number, currency = "USD") =>
    parsed(
      rawEvents.productAdded(
        { product_id: productId, currency, price: 10 },
        as(side, `${side}-${productId}-${at}`, at),
      ),
    );

  it("adds the older cart's lines for other products before the newer cart's, without price in another currency", () => {
    const source = fold(SOURCE, [add("source", "hat", T), add("source", "shoe", T)]);
    const target = fold(TARGET, [add("target", "shoe", T + HOUR_MS), add("target", "bag", T + HOUR_MS)]);
    const merged = mergeProfiles(target, source, NOW);
    expect(merged.ct?.u).toBe(T + HOUR_MS);
    expect(merged.ct?.i.map((item) => [item.p, item.q, item.m])).toEqual([
      ["hat", 1, 1000],
      ["shoe", 1, 1000],
      ["bag", 1, 1000],
    ]);
    const euros = fold(SOURCE, [add("source", "hat", T, "EUR")]);
    expect(mergeProfiles(target, euros, NOW).ct?.i[0]).toEqual({ p: "hat", q: 1, k: "Shoes" });
  });

  it("keeps only the newer cart when its profile ordered after the older cart changed", () => {
    const source = fold(SOURCE, [add("source", "hat", T)]);
    const order = parsed(rawEvents.orderCompleted({ order_id: "o-1" }, as("target", "order", T + HOUR_MS)));
    const target = fold(TARGET, [order, add("target", "bag", T + 2 * HOUR_MS)]);
    const merged = mergeProfiles(target, source, NOW);
    expect(merged.ct?.i.map((item) => item.p)).toEqual(["bag"]);
    // the older cart's profile ordering does not matter: the source's newer cart keeps the target's older lines out
    expect(mergeProfiles(source, target, NOW).ct?.i.map((item) => item.p)).toEqual(["bag"]);
  });
});

describe("an order both profiles remember counts once", () => {
  const completed = (side: Side, id: string, at: number) =>
    parsed(rawEvents.orderCompleted({ order_id: "o-1", total: 50, revenue: 40 }, as(side, id, at)));
  const union = (targetEvents: TailorEvent[], sourceEvents: TailorEvent[]) =>
    fold(TARGET, [...targetEvents, ...sourceEvents.map((event) => ({ ...event, customerId: TARGET }))]);

  it("books it once, in the count, the amounts and the Order Completed counter, as the fold of both histories", () => {
    const targetEvents = [completed("target", "m-1", T)];
    const sourceEvents = [completed("source", "m-2", T + HOUR_MS)];
    const merged = mergeProfiles(fold(TARGET, targetEvents), fold(SOURCE, sourceEvents), NOW);
    const oracle = union(targetEvents, sourceEvents);
    expect(merged.o).toMatchObject({ n: 1, r: 5000, v: 4000, f: T, l: T });
    expect({ n: merged.o?.n, r: merged.o?.r, v: merged.o?.v }).toEqual({
      n: oracle.o?.n,
      r: oracle.o?.r,
      v: oracle.o?.v,
    });
    expect(merged.o?.ro).toHaveLength(1);
    expect({ n: merged.k.oc?.n, h: merged.k.oc?.h, d: merged.k.oc?.d }).toEqual({
      n: oracle.k.oc?.n,
      h: oracle.k.oc?.h,
      d: oracle.k.oc?.d,
    });
  });

  it("applies a refund and a cancel waiting in one profile to the order the other booked", () => {
    const refund = parsed(
      rawEvents.orderRefunded({ order_id: "o-1", total: 20 }, as("source", "m-3", T + HOUR_MS)),
    );
    const targetEvents = [completed("target", "m-1", T)];
    const merged = mergeProfiles(fold(TARGET, targetEvents), fold(SOURCE, [refund]), NOW);
    const oracle = union(targetEvents, [refund]);
    expect(merged.o).toMatchObject({ n: 1, r: 3000, rn: 1, ur: 0 });
    expect({ r: merged.o?.r, v: merged.o?.v, rn: merged.o?.rn }).toEqual({
      r: oracle.o?.r,
      v: oracle.o?.v,
      rn: oracle.o?.rn,
    });

    const cancel = parsed(rawTrack("Order Cancelled", { order_id: "o-1" }, as("target", "m-4", T + HOUR_MS)));
    const booked = [completed("source", "m-5", T)];
    const both = mergeProfiles(fold(TARGET, [cancel]), fold(SOURCE, booked), NOW);
    const bothOracle = union([cancel], booked);
    expect(both.o).toMatchObject({ n: 0, r: 0, cn: 1, uc: 0 });
    const counts = (p: Profile) => ({ n: p.o?.n, r: p.o?.r, cn: p.o?.cn, uc: p.o?.uc ?? 0 });
    expect(counts(both)).toEqual(counts(bothOracle));
    expect(both.lc.s).toBe("new_lead");
  });
});

describe("orders both histories name: the books equal the fold of both (property)", () => {
  const ids = ["a", "b", "c", "d"];
  /** Each order's total in cents (a re-sent Order Completed carries the same amounts). */
  const totals = [5000, 1234, 99_999, 1];
  const step = fc.record({
    side: fc.constantFrom<Side>("target", "source"),
    kind: fc.constantFrom("complete" as const, "refund" as const, "cancel" as const),
    id: fc.constantFrom(...ids),
    amount: fc.option(fc.integer({ min: 1, max: 60_000 }), { nil: undefined }),
  });
  type Step = typeof step extends fc.Arbitrary<infer A> ? A : never;

  const toEvent = ({ side, kind, id, amount }: Step, index: number): TailorEvent => {
    const options = as(side, `${side}-${index}`, T + index * 60_000);
    const total = totals[ids.indexOf(id)] ?? 0;
    if (kind === "complete") {
      return parsed(
        rawEvents.orderCompleted({ order_id: id, total: total / 100, revenue: total / 200 }, options),
      );
    }
    if (kind === "refund") {
      const properties = amount === undefined ? { order_id: id } : { order_id: id, total: amount / 100 };
      return parsed(rawTrack("Order Refunded", properties, options));
    }
    return parsed(rawTrack("Order Cancelled", { order_id: id }, options));
  };
  const ledger = (profile: Profile) => {
    const { n = 0, r = 0, v = 0, f, l, rn = 0, cn = 0, ur = 0, uc = 0 } = profile.o ?? {};
    return { n, r, v, f, l, rn, cn, ur, uc, completed: profile.k.oc?.n ?? 0, stage: profile.lc.s };
  };

  it("counts, amounts, refunds, cancels and waiting ones, in any split of completes, refunds and cancels", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 16 }), (steps) => {
        const all = steps.map(toEvent);
        const of = (side: Side) => all.filter((_, i) => steps[i]?.side === side);
        const merged = mergeProfiles(fold(TARGET, of("target")), fold(SOURCE, of("source")), NOW);
        const oracle = fold(
          TARGET,
          all.map((event) => ({ ...event, customerId: TARGET })),
        );
        // `cn` alone depends on whether a cancel came before its order on one side (not remembered)
        const shared = ids
          .filter((id) => steps.some((a) => a.id === id && a.side === "target"))
          .filter((id) => steps.some((a) => a.id === id && a.side === "source")).length;
        const { cn, ...exact } = ledger(merged);
        const { cn: oracleCn, ...oracleExact } = ledger(oracle);
        expect(exact).toEqual(oracleExact);
        expect(Math.abs(cn - oracleCn)).toBeLessThanOrEqual(shared);
        expectMarshals(merged);
      }),
      { numRuns: 150 },
    );
  });
});

describe("books in two currencies, and suppressions", () => {
  it("counts the source's orders in another currency in fx, not in the amounts", () => {
    const order = (side: Side, id: string, currency: string) =>
      parsed(rawEvents.orderCompleted({ order_id: id, total: 50, revenue: 40, currency }, as(side, id, T)));
    const merged = mergeProfiles(
      fold(TARGET, [order("target", "o-usd", "USD")]),
      fold(SOURCE, [order("source", "o-eur", "EUR")]),
      NOW,
    );
    expect(merged.o).toMatchObject({ n: 2, r: 5000, v: 4000, c: "USD", fx: 1 });
    expect(merged.lc.s).toBe("repeat_buyer");
  });

  it("keeps a hard bounce only with the address it belonged to", () => {
    const identify = (side: Side, email: string, at: number) =>
      parsed(rawEvents.identify({ email }, as(side, `${side}-${email}`, at)));
    const bounce = parsed(rawEvents.emailBounced({}, as("target", "bounce", T + HOUR_MS)));
    const target = fold(TARGET, [identify("target", "old@example.com", T), bounce]);
    expect(target.s?.hard_bounce).toBeDefined();
    const newer = mergeProfiles(
      target,
      fold(SOURCE, [identify("source", "new@example.com", T + 2 * HOUR_MS)]),
      NOW,
    );
    expect({ email: newer.t?.email, bounce: newer.s?.hard_bounce }).toEqual({
      email: "new@example.com",
      bounce: undefined,
    });
    const older = mergeProfiles(
      target,
      fold(SOURCE, [identify("source", "new@example.com", T - HOUR_MS)]),
      NOW,
    );
    expect({ email: older.t?.email, bounce: older.s?.hard_bounce?.at }).toEqual({
      email: "old@example.com",
      bounce: T + HOUR_MS,
    });
  });
});

describe("merge edge cases", () => {
  const some = [
    parsed(rawEvents.identify({}, as("target", "i-1", T))),
    parsed(rawEvents.productViewed({}, as("target", "v-1", T + HOUR_MS))),
    parsed(rawEvents.orderCompleted({}, as("target", "o-1", T + 2 * HOUR_MS))),
  ];

  it("merging an empty source changes nothing but nothing is lost", () => {
    const target = fold(TARGET, some);
    expect(mergeProfiles(target, emptyProfile(SOURCE, NOW), NOW)).toEqual(target);
  });

  it("merging into an empty target keeps the target's id and version and the source's data", () => {
    const source = fold(
      SOURCE,
      some.map((event) => ({ ...event, customerId: SOURCE, userId: undefined })),
    );
    const target = { ...emptyProfile(TARGET, NOW), version: 7 };
    const merged = mergeProfiles(target, source, NOW);
    expect({ customerId: merged.customerId, version: merged.version }).toEqual({
      customerId: TARGET,
      version: 7,
    });
    expect({ ...merged, customerId: SOURCE, version: 0 }).toEqual(source);
  });

  it("keeps every messageId either profile applied a duplicate: a redelivery after the merge changes nothing", () => {
    const viewed = parsed(rawEvents.productViewed({}, as("source", "v-9", T)));
    const merged = mergeProfiles(fold(TARGET, some), fold(SOURCE, [viewed]), NOW);
    const again = foldEvents(merged, TARGET, [{ ...viewed, customerId: TARGET }, ...some], NOW + HOUR_MS);
    expect({ applied: again.applied, duplicates: again.duplicates, changed: again.changed }).toEqual({
      applied: 0,
      duplicates: 4,
      changed: false,
    });
  });

  it("unions identity links by id (the caller, not the merge, keeps a source from being merged twice)", () => {
    const link = (i: string, at: number): IdentityLink => ({ i, h: "identify", at, m: `m-${i}`, v: 1 });
    const target = { ...emptyProfile(TARGET, NOW), im: [link("a", 1), link("b", 2)] };
    const source = { ...emptyProfile(SOURCE, NOW), im: [link("b", 3), link("c", 4)] };
    expect(mergeProfiles(target, source, NOW).im).toEqual([link("a", 1), link("b", 2), link("c", 4)]);
    const many = { ...source, im: Array.from({ length: 20 }, (_, n) => link(`x${n}`, n)) };
    expect(mergeProfiles(target, many, NOW).im).toHaveLength(IDENTITY_IDS_MAX);
  });
});
