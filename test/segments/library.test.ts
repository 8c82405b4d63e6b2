/**
 * The starter library (`templates/segments/`): every example of the issue, each on profiles the real fold builds
 * from raw events, in and out, with its reasons.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS, type Profile } from "#shared/domain/profile/index.js";
import {
  type Evaluation,
  type EvaluationContext,
  evaluateAll,
  explainText,
  type Reason,
  type RfmThresholds,
  type SegmentLibrary,
} from "#shared/domain/segments/index.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import { type RawEvent, rawEvents } from "../factories/events.js";
import { at, profileOf } from "./helpers.js";

/** 2026-11-20T10:30Z. */
const NOW = Date.UTC(2026, 10, 20, 10, 30);
const PRODUCT = "prod-electronics-001";

let library: SegmentLibrary;
beforeAll(() => {
  library = loadSegmentLibrary("templates/segments");
});

function evaluate(segmentId: string, profile: Profile, now = NOW, ctx: EvaluationContext = {}): Evaluation {
  const evaluation = evaluateAll(library, profile, now, ctx).find((e) => e.segmentId === segmentId);
  if (evaluation === undefined) throw new Error(`no segment ${segmentId}`);
  return evaluation;
}

const fold = (...raws: RawEvent[]) => profileOf(NOW, ...raws);
const leaves = (reason: Reason): Reason[] =>
  (reason.children ?? []).flatMap((c) => (c.children ? leaves(c) : [c]));

describe("viewed-product-twice-24h", () => {
  const view = (ms: number, id = PRODUCT) =>
    rawEvents.productViewed({ product_id: id, category: "electronics" }, at(ms));

  it("in after two views of the product within 24 h, until the first view's hour leaves", () => {
    const evaluation = evaluate(
      "viewed-product-twice-24h",
      fold(view(NOW - 23 * HOUR_MS), view(NOW - HOUR_MS)),
    );
    expect(evaluation.member).toBe(true);
    expect(evaluation.reason).toMatchObject({
      node: "event",
      text: `Product Viewed (product_id = ${PRODUCT}) at least 2 times in the last 24 h`,
      seen: "2 times",
    });
    expect(evaluation.nextChangeAt).toBe(Date.UTC(2026, 10, 20, 11));
  });

  it("out with one view of it and one of another product", () => {
    const evaluation = evaluate(
      "viewed-product-twice-24h",
      fold(view(NOW - HOUR_MS), view(NOW, "prod-books-002")),
    );
    expect(evaluation.member).toBe(false);
    expect(evaluation.reason.seen).toBe("1 time");
  });
});

describe("cart-abandoners", () => {
  it("in after an add with no order since; out once 48 h pass with no new event", () => {
    const profile = fold(rawEvents.productAdded({}, at(NOW - 5 * HOUR_MS)));
    const evaluation = evaluate("cart-abandoners", profile);
    expect(evaluation.member).toBe(true);
    expect(leaves(evaluation.reason).map((r) => [r.held, r.text, r.seen])).toEqual([
      [true, "Product Added at least once in the last 48 h", "1 time"],
      [
        true,
        "no Order Completed since the last Product Added",
        "no Order Completed, last Product Added 2026-11-20T05:30Z",
      ],
    ]);
    const exit = Date.UTC(2026, 10, 22, 5);
    expect(evaluation.nextChangeAt).toBe(exit);
    expect(evaluate("cart-abandoners", profile, exit - 1).member).toBe(true);
    expect(evaluate("cart-abandoners", profile, exit).member).toBe(false);
  });

  it("out after ordering, saying when", () => {
    const evaluation = evaluate(
      "cart-abandoners",
      fold(
        rawEvents.productAdded({}, at(NOW - 5 * HOUR_MS)),
        rawEvents.orderCompleted({}, at(NOW - HOUR_MS)),
      ),
    );
    expect(evaluation.member).toBe(false);
    expect(leaves(evaluation.reason)[1]?.seen).toBe(
      "last Order Completed 2026-11-20T09:30Z, after Product Added 2026-11-20T05:30Z",
    );
    // Both children can change by time only if the failing one can: it cannot.
    expect(evaluation.nextChangeAt).toBeUndefined();
  });
});

describe("recent-buyers-engaged", () => {
  const opens = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      rawEvents.emailOpened({ message_id: `m-${i}` }, at(NOW - (i + 1) * DAY_MS)),
    );

  it("in with an order in 30 days and 3 opens in 7 days", () => {
    const evaluation = evaluate(
      "recent-buyers-engaged",
      fold(rawEvents.orderCompleted({}, at(NOW - 10 * DAY_MS)), ...opens(3)),
    );
    expect(evaluation.member).toBe(true);
    expect(leaves(evaluation.reason).map((r) => r.seen)).toEqual(["1 time", "3 times"]);
    // The oldest open (3 days ago) leaves the 7-day window at midnight 5 days from now.
    expect(evaluation.nextChangeAt).toBe(Date.UTC(2026, 10, 24));
  });

  it("out with only 2 opens", () => {
    const evaluation = evaluate(
      "recent-buyers-engaged",
      fold(rawEvents.orderCompleted({}, at(NOW - 10 * DAY_MS)), ...opens(2)),
    );
    expect(evaluation.member).toBe(false);
    expect(leaves(evaluation.reason).map((r) => r.held)).toEqual([true, false]);
  });
});

describe("category-repeat-buyers", () => {
  const bookOrder = (i: number) =>
    rawEvents.orderCompleted(
      { order_id: `o-${i}`, products: [{ product_id: `b-${i}`, category: "books", price: 12, quantity: 1 }] },
      at(NOW - (i + 1) * DAY_MS),
    );

  it("in after three orders with a book, out after two", () => {
    const three = evaluate("category-repeat-buyers", fold(bookOrder(0), bookOrder(1), bookOrder(2)));
    expect(three.member).toBe(true);
    expect(three.reason).toMatchObject({ text: "at least 3 orders with category books", seen: "3 orders" });
    expect(evaluate("category-repeat-buyers", fold(bookOrder(0), bookOrder(1))).member).toBe(false);
  });
});

describe("high-engagement and engaged-champions", () => {
  function mailbox(opens: number, clicks: number): RawEvent[] {
    return Array.from({ length: 10 }, (_, i) => [
      rawEvents.emailDelivered({ message_id: `m-${i}` }, at(NOW - (10 - i) * DAY_MS)),
      ...(i < opens
        ? [rawEvents.emailOpened({ message_id: `m-${i}` }, at(NOW - (10 - i) * DAY_MS + HOUR_MS))]
        : []),
      ...(i < clicks
        ? [rawEvents.emailClicked({ message_id: `m-${i}` }, at(NOW - (10 - i) * DAY_MS + 2 * HOUR_MS))]
        : []),
    ]).flat();
  }

  it("in with 8 of 10 opened and 4 clicked; out with 3 clicked", () => {
    const evaluation = evaluate("high-engagement", fold(...mailbox(8, 4)));
    expect(evaluation.member).toBe(true);
    expect(evaluation.reason.seen).toBe("open rate 80 % and click rate 40 % over 10 sends");
    expect(evaluate("high-engagement", fold(...mailbox(8, 3))).member).toBe(false);
  });

  it("engaged champions are in both segments", () => {
    const champion: Profile = { ...fold(...mailbox(8, 4)), rfm: { r: 5, f: 5, m: 4, at: NOW - DAY_MS } };
    const evaluation = evaluate("engaged-champions", champion);
    expect(evaluation.member).toBe(true);
    expect(evaluation.reason.children?.map((c) => [c.text, c.seen])).toEqual([
      ["in segment champions", "member"],
      ["in segment high-engagement", "member"],
    ]);
    expect(evaluate("engaged-champions", { ...champion, rfm: { r: 3, f: 5, m: 4, at: NOW } }).member).toBe(
      false,
    );
  });
});

describe("RFM cohorts: champions, loyal, at-risk, hibernating", () => {
  const thresholds: RfmThresholds = {
    recencyDays: [7, 20, 45, 90],
    frequency: [1, 1, 2, 4],
    monetary: [3000, 6000, 12000, 25000],
    computedAt: NOW,
    population: 500,
  };
  const buyer = (orders: number, lastDaysAgo: number) =>
    fold(
      ...Array.from({ length: orders }, (_, i) =>
        rawEvents.orderCompleted({ order_id: `o-${i}`, total: 50 }, at(NOW - (lastDaysAgo + 3 * i) * DAY_MS)),
      ),
    );
  const cohorts = (profile: Profile) =>
    ["champions", "loyal", "at-risk", "hibernating"].filter(
      (id) => evaluate(id, profile, NOW, { rfm: thresholds }).member,
    );

  it("place each customer by recency and frequency", () => {
    expect(cohorts(buyer(6, 2))).toEqual(["champions"]);
    expect(cohorts(buyer(6, 30))).toEqual(["loyal"]);
    expect(cohorts(buyer(3, 60))).toEqual(["at-risk"]);
    expect(cohorts(buyer(1, 60))).toEqual(["hibernating"]);
    expect(cohorts(fold(rawEvents.page({}, at(NOW))))).toEqual([]);
  });

  it("a champion becomes loyal on time, with no new event", () => {
    const profile = buyer(6, 2);
    const evaluation = evaluate("champions", profile, NOW, { rfm: thresholds });
    expect(evaluation.reason).toMatchObject({ node: "rfmCohort", seen: "R 5, F 5, M 5" });
    const next = evaluation.nextChangeAt;
    expect(next).toBe(NOW - 2 * DAY_MS + 8 * DAY_MS);
    expect(cohorts(profile)).toEqual(["champions"]);
    expect(
      ["champions", "loyal"].filter((id) => evaluate(id, profile, next, { rfm: thresholds }).member),
    ).toEqual(["loyal"]);
  });

  it("stored scores are used when no thresholds are at hand", () => {
    const profile: Profile = { ...buyer(1, 60), rfm: { r: 1, f: 3, m: 2, at: NOW - DAY_MS } };
    expect(evaluate("at-risk", profile).member).toBe(true);
  });
});

describe("lapsed and churned", () => {
  it("lapsed 100 days after the last order, churned after 180, by time alone", () => {
    const profile = fold(rawEvents.orderCompleted({}, at(NOW - 100 * DAY_MS)));
    const lapsed = evaluate("lapsed", profile);
    expect(lapsed.member).toBe(true);
    expect(lapsed.reason.seen).toBe(
      `lapsed since ${new Date(NOW - 10 * DAY_MS).toISOString().slice(0, 16)}Z`,
    );
    expect(evaluate("churned", profile).member).toBe(false);
    const churnAt = NOW - 100 * DAY_MS + 180 * DAY_MS + 1;
    expect(lapsed.nextChangeAt).toBe(churnAt);
    expect(evaluate("churned", profile).nextChangeAt).toBe(churnAt);
    expect(evaluate("lapsed", profile, churnAt).member).toBe(false);
    expect(evaluate("churned", profile, churnAt).member).toBe(true);
  });
});

describe("model tiers: likely to convert, churn risk", () => {
  const scored = (purchase: "high" | "medium" | "low", churn: "high" | "low"): Profile => ({
    ...fold(rawEvents.page({}, at(NOW))),
    sc: {
      purchase_30d: { p: { high: 0.8, medium: 0.4, low: 0.05 }[purchase], t: purchase, at: NOW - DAY_MS },
      churn_60d: { p: churn === "high" ? 0.9 : 0.1, t: churn, at: NOW - DAY_MS },
    },
  });
  const likely = (profile: Profile) =>
    ["high", "medium", "low"].filter((t) => evaluate(`likely-to-convert-${t}`, profile).member);

  it("put each customer in the tier the model gave", () => {
    expect(likely(scored("high", "low"))).toEqual(["high"]);
    expect(likely(scored("medium", "low"))).toEqual(["medium"]);
    expect(likely(scored("low", "high"))).toEqual(["low"]);
    expect(likely(fold(rawEvents.page({}, at(NOW))))).toEqual([]);
  });

  it("churn risk is the churn model's high tier", () => {
    expect(evaluate("churn-risk", scored("low", "high")).member).toBe(true);
    const low = evaluate("churn-risk", scored("high", "low"));
    expect(low.member).toBe(false);
    expect(low.reason).toMatchObject({
      text: "churn_60d tier high",
      seen: "low (0.1, scored 2026-11-19T10:30Z)",
    });
  });
});

describe("french-speakers-or-eu and adults-25-34", () => {
  const person = (traits: Record<string, unknown>) => fold(rawEvents.identify(traits, at(NOW - DAY_MS)));

  it("French speakers anywhere, or anyone in the EU", () => {
    expect(evaluate("french-speakers-or-eu", person({ locale: "fr-CA", country: "CA" })).member).toBe(true);
    expect(evaluate("french-speakers-or-eu", person({ locale: "de-DE", country: "DE" })).member).toBe(true);
    const american = evaluate("french-speakers-or-eu", person({ locale: "en-US", country: "US" }));
    expect(american.member).toBe(false);
    expect(american.reason.children?.map((c) => c.seen)).toEqual(['locale = "en-US"', 'country = "US"']);
  });

  it("adults from their 25th birthday to the day before their 35th", () => {
    expect(evaluate("adults-25-34", person({ birthday: "2001-11-20" })).member).toBe(true);
    expect(evaluate("adults-25-34", person({ birthday: "2001-11-21" })).member).toBe(false);
    expect(evaluate("adults-25-34", person({ birthday: "1991-11-21" })).member).toBe(true);
    expect(evaluate("adults-25-34", person({ birthday: "1991-11-20" })).member).toBe(false);
  });
});

describe("vip-list (static)", () => {
  it("in when imported, whatever the customer did", () => {
    const profile = fold(rawEvents.page({}, at(NOW)));
    expect(evaluate("vip-list", { ...profile, ss: ["vip-list"] }).member).toBe(true);
    expect(evaluate("vip-list", profile).member).toBe(false);
  });
});

describe("explainText", () => {
  it("shows the verdict, when it can change, and every condition with what was seen", () => {
    const profile = fold(rawEvents.productAdded({}, at(NOW - 5 * HOUR_MS)));
    expect(explainText(evaluate("cart-abandoners", profile))).toBe(
      [
        "cart-abandoners: in (can change at 2026-11-22T05:00Z)",
        "  ✓ all of — seen: 2 of 2 held",
        "    ✓ Product Added at least once in the last 48 h — seen: 1 time",
        "    ✓ no Order Completed since the last Product Added — seen: no Order Completed, last Product Added 2026-11-20T05:30Z",
      ].join("\n"),
    );
    expect(explainText(evaluate("vip-list", profile))).toBe(
      ["vip-list: out", "  ✗ imported into vip-list — seen: not listed"].join("\n"),
    );
  });
});
