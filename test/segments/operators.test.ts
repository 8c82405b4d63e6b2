import { describe, expect, it } from "vitest";
import { DAY_MS, HOUR_MS, type Profile } from "#shared/domain/profile/index.js";
import {
  type Evaluation,
  evaluateSegment,
  type RfmThresholds,
  SegmentEvaluationError,
} from "#shared/domain/segments/index.js";
import { rawEvents } from "../factories/events.js";
import { at, definition, evaluateRule, profileOf } from "./helpers.js";

/** 2026-11-20T10:20Z. */
const NOW = Date.UTC(2026, 10, 20, 10, 20);

describe("trait conditions", () => {
  const profile = profileOf(
    NOW,
    rawEvents.identify(
      {
        country: "FR",
        locale: "fr-FR",
        timezone: "Europe/Paris",
        city: "Paris",
        loyalty_tier: "gold",
        visits: 12,
      },
      at(NOW - HOUR_MS),
    ),
  );
  const check = (trait: Record<string, unknown>) => evaluateRule({ trait }, profile, NOW).member;

  it("eq, ne, in, notIn", () => {
    expect(check({ path: "country", eq: "FR" })).toBe(true);
    expect(check({ path: "country", eq: "fr" })).toBe(false);
    expect(check({ path: "country", ne: "DE" })).toBe(true);
    expect(check({ path: "country", in: ["DE", "FR"] })).toBe(true);
    expect(check({ path: "country", notIn: ["DE", "FR"] })).toBe(false);
  });

  it("ranges compare numbers with numbers and strings with strings, never across types", () => {
    expect(check({ path: "custom.visits", gt: 10 })).toBe(true);
    expect(check({ path: "custom.visits", gte: 12 })).toBe(true);
    expect(check({ path: "custom.visits", lt: 12 })).toBe(false);
    expect(check({ path: "custom.visits", lte: 12 })).toBe(true);
    expect(check({ path: "custom.visits", between: [12, 20] })).toBe(true);
    expect(check({ path: "custom.visits", between: [13, 20] })).toBe(false);
    expect(check({ path: "custom.visits", gt: "1" })).toBe(false);
    expect(check({ path: "city", between: ["M", "Q"] })).toBe(true);
  });

  it("prefix and exists; a missing trait fails every test except exists: false", () => {
    expect(check({ path: "locale", prefix: "fr" })).toBe(true);
    expect(check({ path: "locale", prefix: "en" })).toBe(false);
    expect(check({ path: "custom.loyalty_tier", exists: true })).toBe(true);
    expect(check({ path: "region", exists: false })).toBe(true);
    expect(check({ path: "region", ne: "Bavaria" })).toBe(false);
    expect(check({ path: "region", notIn: ["Bavaria"] })).toBe(false);
  });

  it("reasons say what was tested and what was seen", () => {
    const evaluation = evaluateRule({ trait: { path: "country", in: ["DE", "FR"] } }, profile, NOW);
    expect(evaluation.reason).toEqual({
      node: "trait",
      text: 'country in "DE", "FR"',
      held: true,
      seen: 'country = "FR"',
    });
    expect(evaluateRule({ trait: { path: "region", eq: "x" } }, profile, NOW).reason.seen).toBe(
      "region unknown",
    );
    expect(evaluation.nextChangeAt).toBeUndefined();
  });
});

describe("age", () => {
  const born = (birthday: string) => profileOf(NOW, rawEvents.identify({ birthday }, at(NOW - DAY_MS)));
  const adults = { age: { gte: 25, lte: 34 } };

  it("turns a year older at 00:00 UTC on the birthday", () => {
    const profile = born("2001-11-21");
    const before = evaluateRule(adults, profile, Date.UTC(2026, 10, 20, 23, 59));
    expect(before.member).toBe(false);
    expect(before.reason.seen).toBe("age 24 (born 2001-11-21)");
    expect(before.nextChangeAt).toBe(Date.UTC(2026, 10, 21));
    const on = evaluateRule(adults, profile, Date.UTC(2026, 10, 21));
    expect(on.member).toBe(true);
    // Leaves the range when turning 35.
    expect(on.nextChangeAt).toBe(Date.UTC(2036, 10, 21));
  });

  it("celebrates 29 February on 1 March in other years", () => {
    const profile = born("2000-02-29");
    expect(evaluateRule({ age: { gte: 27 } }, profile, Date.UTC(2027, 1, 28, 23)).member).toBe(false);
    expect(evaluateRule({ age: { gte: 27 } }, profile, Date.UTC(2027, 2, 1)).member).toBe(true);
    expect(evaluateRule({ age: { gte: 28 } }, profile, Date.UTC(2028, 1, 29)).member).toBe(true);
  });

  it("uses UTC dates, not the customer's time zone", () => {
    // 23:30 UTC on 20 November is already 21 November in Tokyo; the age still changes at 00:00 UTC.
    const profile = profileOf(
      NOW,
      rawEvents.identify({ birthday: "2001-11-21", timezone: "Asia/Tokyo" }, at(NOW - DAY_MS)),
    );
    expect(evaluateRule(adults, profile, Date.UTC(2026, 10, 20, 23, 30)).member).toBe(false);
  });

  it("fails without a birthday, and never changes by time then", () => {
    const evaluation = evaluateRule(adults, profileOf(NOW, rawEvents.page({}, at(NOW))), NOW);
    expect(evaluation.member).toBe(false);
    expect(evaluation.reason.seen).toBe("no birthday");
    expect(evaluation.nextChangeAt).toBeUndefined();
  });
});

describe("noEventSince", () => {
  const rule = { noEventSince: { name: "Order Completed", since: "Product Added" } };

  it("holds when the customer added to cart and did not order since", () => {
    const evaluation = evaluateRule(rule, profileOf(NOW, rawEvents.productAdded({}, at(NOW - HOUR_MS))), NOW);
    expect(evaluation.member).toBe(true);
    expect(evaluation.reason.seen).toBe("no Order Completed, last Product Added 2026-11-20T09:20Z");
    expect(evaluation.nextChangeAt).toBeUndefined();
  });

  it("fails when an order came after the last add, or at the same millisecond", () => {
    const after = profileOf(
      NOW,
      rawEvents.productAdded({}, at(Date.UTC(2026, 10, 19, 9))),
      rawEvents.orderCompleted({}, at(Date.UTC(2026, 10, 20, 10))),
    );
    const evaluation = evaluateRule(rule, after, NOW);
    expect(evaluation.member).toBe(false);
    expect(evaluation.reason.seen).toBe(
      "last Order Completed 2026-11-20T10:00Z, after Product Added 2026-11-19T09:00Z",
    );
    const tie = profileOf(
      NOW,
      rawEvents.productAdded({}, at(NOW - HOUR_MS)),
      rawEvents.orderCompleted({}, at(NOW - HOUR_MS)),
    );
    expect(evaluateRule(rule, tie, NOW).member).toBe(false);
  });

  it("holds again when the customer adds to cart after the order; fails when they never added", () => {
    const again = profileOf(
      NOW,
      rawEvents.orderCompleted({}, at(NOW - 2 * HOUR_MS)),
      rawEvents.productAdded({}, at(NOW - HOUR_MS)),
    );
    expect(evaluateRule(rule, again, NOW).member).toBe(true);
    const never = evaluateRule(rule, profileOf(NOW, rawEvents.page({}, at(NOW))), NOW);
    expect(never.member).toBe(false);
    expect(never.reason.seen).toBe("no Product Added yet");
  });
});

describe("ordersInCategory", () => {
  it("counts orders that contained the category, once per order", () => {
    const book = { product_id: "b-1", category: "books", price: 10, quantity: 1 };
    const profile = profileOf(
      NOW,
      rawEvents.orderCompleted(
        { order_id: "o-1", products: [book, { ...book, product_id: "b-2" }] },
        at(NOW - 3 * DAY_MS),
      ),
      rawEvents.orderCompleted({ order_id: "o-2", products: [book] }, at(NOW - 2 * DAY_MS)),
      rawEvents.orderCompleted(
        { order_id: "o-3", products: [{ ...book, category: "toys" }] },
        at(NOW - DAY_MS),
      ),
    );
    const twice = evaluateRule({ ordersInCategory: { category: "books", moreThan: 1 } }, profile, NOW);
    expect(twice.member).toBe(true);
    expect(twice.reason.seen).toBe("2 orders");
    expect(twice.reason.text).toBe("at least 2 orders with category books");
    expect(evaluateRule({ ordersInCategory: { category: "books", moreThan: 2 } }, profile, NOW).member).toBe(
      false,
    );
  });
});

describe("engagement", () => {
  /** `sends` deliveries, the first `opens` opened, the first `clicks` clicked. */
  function mailbox(sends: number, opens: number, clicks: number): Profile {
    const raws = [];
    for (let i = 0; i < sends; i++) {
      const time = NOW - (sends - i) * DAY_MS;
      raws.push(rawEvents.emailDelivered({ message_id: `m-${i}` }, at(time)));
      if (i < opens) raws.push(rawEvents.emailOpened({ message_id: `m-${i}` }, at(time + HOUR_MS)));
      if (i < clicks) raws.push(rawEvents.emailClicked({ message_id: `m-${i}` }, at(time + 2 * HOUR_MS)));
    }
    return profileOf(NOW, ...raws);
  }
  const high = {
    engagement: { openRate: { gt: 0.7 }, clickRate: { gt: 0.3 }, overLastSends: 10, minSends: 3 },
  };

  it("rates over the last N sends: opens > 70 % and clicks > 30 %", () => {
    const evaluation = evaluateRule(high, mailbox(10, 8, 4), NOW);
    expect(evaluation.member).toBe(true);
    expect(evaluation.reason.seen).toBe("open rate 80 % and click rate 40 % over 10 sends");
    expect(evaluation.reason.text).toBe(
      "open rate > 70 % and click rate > 30 % over the last 10 sends (at least 3 sends)",
    );
    expect(evaluateRule(high, mailbox(10, 8, 3), NOW).member).toBe(false);
  });

  it("looks only at the last N sends", () => {
    // 20 sends: the first 10 all opened and clicked, the last 10 none.
    expect(evaluateRule(high, mailbox(20, 10, 10), NOW).member).toBe(false);
    const allTime = { engagement: { openRate: { gte: 0.5 }, clickRate: { gte: 0.5 } } };
    const evaluation = evaluateRule(allTime, mailbox(20, 10, 10), NOW);
    expect(evaluation.member).toBe(true);
    expect(evaluation.reason.seen).toBe("open rate 50 % and click rate 50 % over 20 sends");
  });

  it("needs minSends sends to know a rate", () => {
    const evaluation = evaluateRule(high, mailbox(2, 2, 2), NOW);
    expect(evaluation.member).toBe(false);
    expect(evaluation.reason.seen).toBe("only 2 sends");
    expect(evaluateRule(high, profileOf(NOW, rawEvents.page({}, at(NOW))), NOW).reason.seen).toBe("no sends");
  });
});

describe("lifecycle", () => {
  const ordered = (daysAgo: number) =>
    profileOf(NOW, rawEvents.orderCompleted({}, at(NOW - daysAgo * DAY_MS)));

  it("evaluates the stage at now, so time moves customers", () => {
    const profile = ordered(100);
    const lapsed = evaluateRule({ lifecycle: { in: ["lapsed"] } }, profile, NOW);
    expect(lapsed.member).toBe(true);
    expect(lapsed.reason.seen).toMatch(/^lapsed since /);
    expect(lapsed.nextChangeAt).toBe(NOW - 100 * DAY_MS + 180 * DAY_MS + 1);
    const later = NOW + 81 * DAY_MS;
    expect(evaluateRule({ lifecycle: { in: ["lapsed"] } }, profile, later).member).toBe(false);
    expect(evaluateRule({ lifecycle: { in: ["churned"] } }, profile, later).member).toBe(true);
  });

  it("skips stage changes that keep the verdict", () => {
    const evaluation = evaluateRule({ lifecycle: { in: ["lapsed", "churned"] } }, ordered(100), NOW);
    expect(evaluation.member).toBe(true);
    expect(evaluation.nextChangeAt).toBeUndefined();
    const active = evaluateRule({ lifecycle: { in: ["lapsed", "churned"] } }, ordered(10), NOW);
    expect(active.nextChangeAt).toBe(NOW - 10 * DAY_MS + 90 * DAY_MS + 1);
  });
});

describe("RFM", () => {
  const thresholds: RfmThresholds = {
    recencyDays: [5, 10, 30, 60],
    frequency: [1, 1, 2, 3],
    monetary: [2000, 5000, 10000, 20000],
    computedAt: NOW,
    population: 100,
  };
  const buyer = (orders: number, lastDaysAgo: number) =>
    profileOf(
      NOW,
      ...Array.from({ length: orders }, (_, i) =>
        rawEvents.orderCompleted({ order_id: `o-${i}`, total: 100 }, at(NOW - (lastDaysAgo + i) * DAY_MS)),
      ),
    );

  it("scores live from the context's thresholds; recency decays on time", () => {
    const profile = buyer(4, 3);
    const champion = evaluateRule({ rfmCohort: "champions" }, profile, NOW, { rfm: thresholds });
    expect(champion.member).toBe(true);
    expect(champion.reason.seen).toBe("R 5, F 5, M 5");
    expect(champion.reason.text).toBe("RFM cohort champions (R 5, F 4–5)");
    // Last order 3 days ago (rounded down); R drops when recency reaches 6 days.
    const last = NOW - 3 * DAY_MS;
    expect(champion.nextChangeAt).toBe(last + 6 * DAY_MS);
    expect(
      evaluateRule({ rfmCohort: "champions" }, profile, last + 6 * DAY_MS, { rfm: thresholds }).member,
    ).toBe(false);
    expect(evaluateRule({ rfmCohort: "loyal" }, profile, last + 6 * DAY_MS, { rfm: thresholds }).member).toBe(
      true,
    );
  });

  it("uses the stored scores without thresholds, which do not move by time", () => {
    const profile: Profile = { ...buyer(1, 3), rfm: { r: 2, f: 1, m: 1, at: NOW - DAY_MS } };
    const evaluation = evaluateRule({ rfmCohort: "hibernating" }, profile, NOW);
    expect(evaluation.member).toBe(true);
    expect(evaluation.nextChangeAt).toBeUndefined();
    expect(evaluation.reason.seen).toBe("R 2, F 1, M 1 (scored 2026-11-19T10:20Z)");
    expect(evaluateRule({ rfm: { r: { lte: 2 }, f: { gte: 1, lte: 1 } } }, profile, NOW).member).toBe(true);
    expect(evaluateRule({ rfm: { m: { gte: 2 } } }, profile, NOW).member).toBe(false);
  });

  it("fails for customers who never ordered, saying why", () => {
    const never = profileOf(NOW, rawEvents.page({}, at(NOW)));
    expect(evaluateRule({ rfm: { r: { gte: 1 } } }, never, NOW, { rfm: thresholds }).reason.seen).toBe(
      "no RFM scores (never ordered)",
    );
    expect(evaluateRule({ rfmCohort: "lost" }, never, NOW).reason.seen).toBe("no RFM scores yet");
  });

  it("an rfm test on F or M alone never changes by time", () => {
    const evaluation = evaluateRule({ rfm: { f: { gte: 4 } } }, buyer(4, 3), NOW, { rfm: thresholds });
    expect(evaluation.member).toBe(true);
    expect(evaluation.nextChangeAt).toBeUndefined();
  });
});

describe("model scores and tiers", () => {
  const scored: Profile = {
    ...profileOf(NOW, rawEvents.page({}, at(NOW))),
    sc: { purchase_30d: { p: 0.72, t: "high", at: NOW - DAY_MS } },
  };

  it("compares the probability and the tier", () => {
    expect(evaluateRule({ score: { model: "purchase_30d", gte: 0.7 } }, scored, NOW).member).toBe(true);
    expect(evaluateRule({ score: { model: "purchase_30d", lte: 0.7 } }, scored, NOW).member).toBe(false);
    const tier = evaluateRule({ tier: { model: "purchase_30d", in: ["high", "medium"] } }, scored, NOW);
    expect(tier.member).toBe(true);
    expect(tier.reason.seen).toBe("high (0.72, scored 2026-11-19T10:20Z)");
  });

  it("fails for a model that has not scored the customer", () => {
    const evaluation = evaluateRule({ tier: { model: "churn", in: ["high"] } }, scored, NOW);
    expect(evaluation.member).toBe(false);
    expect(evaluation.reason.seen).toBe("not scored by churn");
  });
});

describe("all, any, not: verdicts and when they can change", () => {
  // A view at 08:20 (its hour leaves the 6h window at 14:00) and an add at 06:20 (leaves at 12:00).
  const profile = profileOf(
    NOW,
    rawEvents.productViewed({}, at(NOW - 2 * HOUR_MS)),
    rawEvents.productAdded({}, at(NOW - 4 * HOUR_MS)),
  );
  const viewed = { event: { name: "Product Viewed", within: "6h" } }; // true until 14:00
  const added = { event: { name: "Product Added", within: "6h" } }; // true until 12:00
  const ordered = { event: { name: "Order Completed", within: "6h" } }; // false, never by time
  const french = { trait: { path: "country", eq: "FR" } }; // false, never by time
  const at12 = Date.UTC(2026, 10, 20, 12);
  const at14 = Date.UTC(2026, 10, 20, 14);

  it("all that holds changes as soon as any child changes", () => {
    const evaluation = evaluateRule({ all: [viewed, added] }, profile, NOW);
    expect(evaluation.member).toBe(true);
    expect(evaluation.nextChangeAt).toBe(at12);
  });

  it("all that fails changes only once every failing child can change", () => {
    expect(evaluateRule({ all: [viewed, { not: added }] }, profile, NOW).nextChangeAt).toBe(at12);
    expect(evaluateRule({ all: [{ not: viewed }, { not: added }] }, profile, NOW).nextChangeAt).toBe(at14);
    expect(evaluateRule({ all: [{ not: added }, ordered] }, profile, NOW).nextChangeAt).toBeUndefined();
  });

  it("any that holds changes only once every holding child can change", () => {
    expect(evaluateRule({ any: [viewed, added, ordered] }, profile, NOW).nextChangeAt).toBe(at14);
    expect(evaluateRule({ any: [viewed, { not: ordered }] }, profile, NOW).nextChangeAt).toBeUndefined();
  });

  it("any that fails changes as soon as any child changes", () => {
    const evaluation = evaluateRule({ any: [{ not: viewed }, { not: added }, french] }, profile, NOW);
    expect(evaluation.member).toBe(false);
    expect(evaluation.nextChangeAt).toBe(at12);
  });

  it("not flips the verdict and keeps the child's time", () => {
    const evaluation = evaluateRule({ not: added }, profile, NOW);
    expect(evaluation.member).toBe(false);
    expect(evaluation.nextChangeAt).toBe(at12);
    expect(evaluation.reason.seen).toBe("it held");
    expect(evaluation.reason.children?.[0]?.held).toBe(true);
  });

  it("the times it reports are right: nothing changes just before, the verdict changes at it", () => {
    const rule = { all: [viewed, { not: ordered }, { any: [added, french] }] };
    const evaluation = evaluateRule(rule, profile, NOW);
    expect(evaluation.member).toBe(true);
    expect(evaluation.nextChangeAt).toBe(at12);
    expect(evaluateRule(rule, profile, at12 - 1).member).toBe(true);
    expect(evaluateRule(rule, profile, at12).member).toBe(false);
  });
});

describe("inSegment and static segments", () => {
  const profile: Profile = { ...profileOf(NOW, rawEvents.page({}, at(NOW))), ss: ["vip-list"] };
  const other = (member: boolean, nextChangeAt: number | undefined): Evaluation => ({
    segmentId: "other",
    member,
    reason: { node: "trait", text: "x", held: member },
    nextChangeAt,
  });

  it("reads the other segment's evaluation from the same pass, with its next change", () => {
    const evaluation = evaluateRule(
      { inSegment: "other" },
      profile,
      NOW,
      {},
      new Map([["other", other(true, NOW + 5)]]),
    );
    expect(evaluation.member).toBe(true);
    expect(evaluation.nextChangeAt).toBe(NOW + 5);
    expect(evaluation.reason).toEqual({
      node: "inSegment",
      text: "in segment other",
      held: true,
      seen: "member",
    });
  });

  it("refuses to guess when the other segment was not evaluated first", () => {
    expect(() => evaluateRule({ inSegment: "other" }, profile, NOW)).toThrow(SegmentEvaluationError);
  });

  it("a static segment's members are the profiles imported into it", () => {
    const vip = definition({ id: "vip-list", static: true });
    const evaluation = evaluateSegment(vip, profile, NOW, {}, new Map());
    expect(evaluation).toEqual({
      segmentId: "vip-list",
      member: true,
      reason: { node: "static", text: "imported into vip-list", held: true, seen: "listed" },
      nextChangeAt: undefined,
    });
    expect(evaluateSegment(vip, { ...profile, ss: [] }, NOW, {}, new Map()).member).toBe(false);
  });
});
