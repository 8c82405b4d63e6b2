import { describe, expect, it } from "vitest";
import {
  byPriority,
  decideSend,
  exited,
  journeyIntents,
  type LedgerEntry,
  type SendIntent,
} from "#shared/domain/campaigns/index.js";
import type { Profile } from "#shared/domain/profile/index.js";
import { CUSTOMER, campaign, DAY, HOUR, reachable, sent } from "./helpers.js";

const START = Date.UTC(2026, 0, 12, 10); // a Monday, 10:00 UTC (11:00 Paris)
const cart = campaign({
  steps: [
    { delay: "4h", template: "cart-abandonment" },
    { delay: "48h", template: "cart-abandonment" },
  ],
  exitWhen: ["Order Completed", "Checkout Started"],
  policy: {
    frequencyCap: { max: 3, per: "7d" },
    quietHours: { start: "21:00", end: "08:00", defaultTimeZone: "UTC" },
  },
});
const [intent, reminder] = journeyIntents(cart, CUSTOMER, String(START), START, START);
if (intent === undefined || reminder === undefined) throw new Error("two steps expected");
const DUE = intent.dueAt; // 14:00 UTC

/** A profile whose last event of kind `code` is at `at`. */
const withLast = (profile: Profile, code: "oc" | "ck" | "pa", at: number): Profile => ({
  ...profile,
  k: { ...profile.k, [code]: { n: 1, l: at } },
});

describe("decideSend: reachability", () => {
  it("sends the variant to a reachable customer", () => {
    expect(decideSend(intent, cart, reachable(), [], DUE)).toEqual({ kind: "send", variant: "a" });
  });

  it("skips without an email address", () => {
    expect(decideSend(intent, cart, reachable({ t: {} }), [], DUE)).toEqual({
      kind: "skip",
      reason: "no email address",
    });
  });

  it.each([
    ["hard_bounce", "suppressed: hard bounce"],
    ["complaint", "suppressed: complaint"],
    ["unsubscribe", "suppressed: unsubscribed"],
  ] as const)("skips a customer suppressed by %s", (key, reason) => {
    const profile = reachable({ s: { [key]: { r: key, at: 0 } } });
    expect(decideSend(intent, cart, profile, [], DUE)).toEqual({ kind: "skip", reason });
  });

  it("marketing needs marketing_email granted: absent or withdrawn skips", () => {
    expect(decideSend(intent, cart, reachable({ c: {} }), [], DUE)).toEqual({
      kind: "skip",
      reason: "no consent: marketing_email not granted",
    });
    const withdrawn = reachable({ c: { marketing_email: { g: false, at: 1 } } });
    expect(decideSend(intent, cart, withdrawn, [], DUE)).toMatchObject({
      kind: "skip",
      reason: "no consent: marketing_email withdrawn",
    });
  });

  it("transactional ignores marketing consent and unsubscribe, but not hard bounces or an explicit refusal", () => {
    const receipt = campaign({ purpose: "transactional", steps: [{ template: "cart-abandonment" }] });
    const [first] = journeyIntents(receipt, CUSTOMER, "o-1", START, START);
    if (first === undefined) throw new Error("one step expected");
    const unsubscribed = reachable({ c: {}, s: { unsubscribe: { r: "link", at: 0 } } });
    expect(decideSend(first, receipt, unsubscribed, [], START).kind).toBe("send");
    expect(
      decideSend(first, receipt, reachable({ s: { hard_bounce: { r: "x", at: 0 } } }), [], START).kind,
    ).toBe("skip");
    const refused = reachable({ c: { transactional_email: { g: false, at: 0 } } });
    expect(decideSend(first, receipt, refused, [], START)).toMatchObject({
      reason: "no consent: transactional_email withdrawn",
    });
  });
});

describe("exit conditions", () => {
  it("an exit event after the journey start ends it; one at or before the start does not", () => {
    expect(decideSend(intent, cart, withLast(reachable(), "oc", START + HOUR), [], DUE)).toEqual({
      kind: "skip",
      reason: "exited: Order Completed",
    });
    expect(decideSend(intent, cart, withLast(reachable(), "oc", START), [], DUE).kind).toBe("send");
    expect(decideSend(intent, cart, withLast(reachable(), "oc", START - DAY), [], DUE).kind).toBe("send");
  });

  it("any listed event exits, and the reminder is checked again when due", () => {
    const profile = withLast(reachable(), "ck", DUE + HOUR);
    expect(decideSend(intent, cart, profile, [], DUE).kind).toBe("send");
    expect(exited(reminder, cart, profile, reminder.dueAt)).toBe("exited: Checkout Started");
  });

  it("with exitWhenCartEmpty, a journey ends when the cart holds nothing at send time, and goes on while it holds one", () => {
    // GIVEN the cart journey with the cart exit, and a customer whose cart holds a line
    const emptying = { ...cart, exitWhenCartEmpty: true };
    const line = { p: "p-1", q: 1 };
    const withCart = (items: { p: string; q: number }[]): Profile => ({
      ...reachable(),
      ct: { u: START, c: "USD", i: items },
    });
    // THEN a cart with a line is sent to; an emptied cart, or none at all, ends the journey at each step
    expect(decideSend(intent, emptying, withCart([line]), [], DUE).kind).toBe("send");
    expect(decideSend(intent, emptying, withCart([]), [], DUE)).toEqual({
      kind: "skip",
      reason: "exited: cart empty",
    });
    expect(exited(reminder, emptying, reachable(), reminder.dueAt)).toBe("exited: cart empty");
    // ...and without the option an empty cart changes nothing (other campaigns)
    expect(decideSend(intent, cart, withCart([]), [], DUE).kind).toBe("send");
  });

  it("a segment-entered journey ends when the customer left the segment or entered it again later", () => {
    const winBack = campaign({
      id: "win-back",
      trigger: { segment: "lapsed", on: "entered" },
      steps: [{ template: "welcome" }],
    });
    const [first] = journeyIntents(winBack, CUSTOMER, String(START), START, START);
    if (first === undefined) throw new Error("one step expected");
    expect(exited(first, winBack, reachable({ sg: { lapsed: { e: START, v: 1 } } }), START)).toBeUndefined();
    expect(exited(first, winBack, reachable(), START)).toBe("exited: left segment lapsed");
    expect(exited(first, winBack, reachable({ sg: { lapsed: { e: START + 1, v: 1 } } }), START)).toBe(
      "exited: left segment lapsed",
    );
  });

  it("a scheduled send ends when the customer is no longer in the audience (static members count)", () => {
    const news = campaign({
      id: "news",
      trigger: { schedule: "rate(7 days)", audience: "vip" },
      steps: [{ template: "newsletter" }],
    });
    const [first] = journeyIntents(news, CUSTOMER, "tick", START, START);
    if (first === undefined) throw new Error("one step expected");
    expect(exited(first, news, reachable({ ss: ["vip"] }), START)).toBeUndefined();
    expect(exited(first, news, reachable(), START)).toBe("exited: left segment vip");
  });
});

describe("frequency cap", () => {
  const three = (first: number) => [sent(first), sent(first + HOUR), sent(first + 2 * HOUR)];

  it("skips at the cap, counting every campaign of the purpose in the rolling window", () => {
    expect(decideSend(intent, cart, reachable(), three(DUE - DAY), DUE)).toEqual({
      kind: "skip",
      reason: "capped: 3 marketing emails in 7 days",
    });
    expect(decideSend(intent, cart, reachable(), three(DUE - DAY).slice(1), DUE).kind).toBe("send");
  });

  it("the window is (now − 7 days, now]: a send exactly 7 days old no longer counts", () => {
    const window = [sent(DUE - 7 * DAY), sent(DUE - DAY), sent(DUE)];
    expect(decideSend(intent, cart, reachable(), window, DUE).kind).toBe("send");
    const inside = [sent(DUE - 7 * DAY + 1), sent(DUE - DAY), sent(DUE)];
    expect(decideSend(intent, cart, reachable(), inside, DUE).kind).toBe("skip");
  });

  it("counts only sent entries of the same purpose and customer, never the send being decided", () => {
    const noise = [
      sent(DUE - HOUR, { outcome: "skipped" }),
      sent(DUE - HOUR, { outcome: "holdout" }),
      sent(DUE - HOUR, { outcome: "deferred" }),
      sent(DUE - HOUR, { purpose: "transactional" }),
      sent(DUE - HOUR, { customerId: "someone-else" }),
      sent(DUE - HOUR, { key: intent.key }),
    ];
    expect(decideSend(intent, cart, reachable(), [...noise, sent(DUE - 1), sent(DUE - 2)], DUE).kind).toBe(
      "send",
    );
  });

  it("priority: deciding due intents in priority order gives the last slot to the higher priority", () => {
    const low = campaign({
      id: "low",
      priority: 10,
      steps: [{ template: "cart-abandonment" }],
      policy: { frequencyCap: { max: 1, per: "1d" } },
    });
    const high = campaign({
      id: "high",
      priority: 90,
      steps: [{ template: "cart-abandonment" }],
      policy: { frequencyCap: { max: 1, per: "1d" } },
    });
    const campaigns = new Map([
      [low.id, low],
      [high.id, high],
    ]);
    const intents = [low, high].flatMap((c) => journeyIntents(c, CUSTOMER, "x", START, START));
    const ledger: LedgerEntry[] = [];
    const outcomes: [string, string][] = [];
    for (const next of byPriority(intents, (id) => campaigns.get(id)?.priority ?? 0)) {
      const c = campaigns.get(next.campaignId);
      if (c === undefined) throw new Error("unknown campaign");
      const decision = decideSend(next, c, reachable(), ledger, START);
      outcomes.push([next.campaignId, decision.kind === "skip" ? decision.reason : decision.kind]);
      if (decision.kind === "send")
        ledger.push(sent(START, { key: next.key, campaignId: c.id, priority: c.priority }));
    }
    expect(outcomes).toEqual([
      ["high", "send"],
      ["low", "capped: 1 marketing email in 1 day"],
    ]);
  });
});

describe("quiet hours at send time", () => {
  const at = (iso: string): SendIntent => ({ ...intent, dueAt: Date.parse(iso) });

  it("defers to 08:00 in the customer's zone, named in the reason", () => {
    const now = Date.parse("2026-01-12T22:30:00Z"); // 23:30 Paris
    expect(decideSend(at("2026-01-12T22:30:00Z"), cart, reachable({}, "Europe/Paris"), [], now)).toEqual({
      kind: "defer",
      until: Date.parse("2026-01-13T07:00:00Z"),
      reason: "quiet hours until 08:00 Europe/Paris",
    });
  });

  it("uses the default zone when the customer has none or an unknown one", () => {
    const now = Date.parse("2026-01-12T07:30:00Z"); // 08:30 Paris, 07:30 UTC
    expect(decideSend(intent, cart, reachable({}, "Europe/Paris"), [], now).kind).toBe("send");
    const missing = decideSend(intent, cart, reachable(), [], now);
    const unknown = decideSend(intent, cart, reachable({}, "Mars/Olympus"), [], now);
    for (const decision of [missing, unknown]) {
      expect(decision).toEqual({
        kind: "defer",
        until: Date.parse("2026-01-12T08:00:00Z"),
        reason: "quiet hours until 08:00 UTC",
      });
    }
  });

  it("a campaign without quiet hours sends at night", () => {
    const night = campaign({ steps: [{ template: "cart-abandonment" }] });
    expect(decideSend(intent, night, reachable(), [], Date.parse("2026-01-12T23:00:00Z")).kind).toBe("send");
  });

  it("the cap is checked before quiet hours: a capped send is skipped, not deferred", () => {
    const now = Date.parse("2026-01-12T23:00:00Z");
    const ledger = [sent(now - HOUR), sent(now - 2 * HOUR), sent(now - 3 * HOUR)];
    expect(decideSend(intent, cart, reachable(), ledger, now).kind).toBe("skip");
    expect(decideSend(intent, cart, reachable(), ledger.slice(1), now).kind).toBe("defer");
  });
});

describe("holdout and variants", () => {
  it("a holdout customer gets a holdout decision after every other rule passed", () => {
    const all = campaign({ holdout: 0.5 });
    const decisions = Array.from({ length: 200 }, (_, i) => {
      const own = { ...intent, customerId: `c-${i}` };
      return decideSend(own, all, reachable(), [], DUE);
    });
    const holdouts = decisions.filter((d) => d.kind === "holdout");
    expect(holdouts.length).toBeGreaterThan(60);
    expect(holdouts.length).toBeLessThan(140);
    expect(holdouts[0]).toEqual({ kind: "holdout", reason: "holdout: 50 % control group" });
    expect(decideSend({ ...intent, customerId: "c-1" }, all, reachable({ t: {} }), [], DUE).kind).toBe(
      "skip",
    );
  });

  it("a step's own variants replace the campaign's", () => {
    const c = campaign({
      steps: [{ template: "welcome", variants: [{ id: "b", weight: 1 }] }],
      variants: [{ id: "a", weight: 1 }],
    });
    const [first] = journeyIntents(c, CUSTOMER, "x", START, START);
    if (first === undefined) throw new Error("one step expected");
    expect(decideSend(first, c, reachable(), [], DUE)).toEqual({ kind: "send", variant: "b" });
  });
});
