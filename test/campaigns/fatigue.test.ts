import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decideSend,
  FATIGUE_FATIGUED,
  type FatigueInputs,
  fatigueCap,
  fatigueInputs,
  fatigueOf,
  fatigueScore,
  journeyIntents,
} from "#shared/domain/campaigns/index.js";
import { recordEmail } from "#shared/domain/profile/email-engagement.js";
import type { Profile } from "#shared/domain/profile/index.js";
import { CUSTOMER, campaign, campaignOf, reachable, sent, starterLibrary } from "./helpers.js";

/** A reachable customer whose ring holds `pattern`, oldest first: `o` opened, `c` clicked, `.` neither. */
function withSends(pattern: string, overrides: Partial<Profile> = {}): Profile {
  const profile = reachable(overrides);
  [...pattern].forEach((mark, i) => {
    recordEmail(profile, "delivered", `m-${i}`);
    if (mark === "o") recordEmail(profile, "opened", `m-${i}`);
    if (mark === "c") recordEmail(profile, "clicked", `m-${i}`);
  });
  return profile;
}

const START = Date.UTC(2026, 0, 12, 10);
const newsletter = campaign({
  id: "newsletter",
  priority: 10,
  steps: [{ delay: "0m", template: "newsletter" }],
  policy: { frequencyCap: { max: 4, per: "7d" }, fatigue: {} },
});
const important = campaign({
  id: "cart",
  priority: 80,
  policy: { frequencyCap: { max: 4, per: "7d" }, fatigue: {} },
});
const [newsletterIntent] = journeyIntents(newsletter, CUSTOMER, "1", START, START);
const [cartIntent] = journeyIntents(important, CUSTOMER, "1", START, START);
if (newsletterIntent === undefined || cartIntent === undefined) throw new Error("intents expected");

describe("fatigue inputs from the ring of recent sends", () => {
  it("reads the unengaged streak and the open rates of both halves", () => {
    const inputs = fatigueInputs(withSends("ooooco......"));
    expect(inputs).toMatchObject({ sends: 12, unengagedStreak: 6, earlierOpenRate: 1, recentOpenRate: 0 });
  });

  it("counts a click as engagement and reads complaints and unsubscribes from the counters", () => {
    const profile = withSends("..c", { k: { ep: { n: 1, l: 0 }, un: { n: 2, l: 0 } } });
    expect(fatigueInputs(profile)).toMatchObject({ unengagedStreak: 0, complaints: 1, unsubscribes: 2 });
  });
});

describe("fatigue score", () => {
  it("is fresh for an engaged reader, fatigued for one whose opens fell away", () => {
    expect(fatigueOf(withSends("oooooooooo")).level).toBe("fresh");
    expect(fatigueOf(withSends("oooooo......")).level).toBe("fatigued");
    // Never opened: disengaged but no fall, so tired (cap lowered), not skipped.
    expect(fatigueOf(withSends("..........")).level).toBe("tired");
  });

  const inputs = fc.record({
    sends: fc.integer({ min: 0, max: 20 }),
    unengagedStreak: fc.integer({ min: 0, max: 20 }),
    earlierOpenRate: fc.double({ min: 0, max: 1, noNaN: true }),
    recentOpenRate: fc.double({ min: 0, max: 1, noNaN: true }),
    complaints: fc.integer({ min: 0, max: 5 }),
    unsubscribes: fc.integer({ min: 0, max: 5 }),
  });

  it("stays within [0, 1]", () => {
    fc.assert(
      fc.property(inputs, (i) => {
        const score = fatigueScore(i);
        return score >= 0 && score <= 1;
      }),
    );
  });

  it("never falls when the streak, the fall in opens or the feedback grows", () => {
    fc.assert(
      fc.property(inputs, fc.integer({ min: 1, max: 5 }), (i: FatigueInputs, more) => {
        const base = fatigueScore(i);
        return (
          fatigueScore({ ...i, unengagedStreak: i.unengagedStreak + more }) >= base &&
          fatigueScore({ ...i, complaints: i.complaints + more }) >= base &&
          fatigueScore({ ...i, unsubscribes: i.unsubscribes + more }) >= base &&
          fatigueScore({ ...i, recentOpenRate: i.recentOpenRate / (1 + more) }) >= base
        );
      }),
    );
  });

  it("lowers the cap by half the score, never below one", () => {
    fc.assert(
      fc.property(inputs, fc.integer({ min: 1, max: 50 }), (i, max) => {
        const score = fatigueScore(i);
        const fatigue = {
          score,
          level: score >= FATIGUE_FATIGUED ? "fatigued" : "tired",
          inputs: i,
        } as const;
        const lowered = fatigueCap({ max, perMs: 1, per: "7d" }, fatigue).max;
        return lowered >= 1 && lowered <= max && lowered >= Math.floor(max / 2);
      }),
    );
  });
});

describe("decideSend with a fatigue policy", () => {
  const worn = withSends("oooooo......");

  it("skips a fatigued customer for a low-priority campaign, with the inputs in the reason", () => {
    const decision = decideSend(newsletterIntent, newsletter, worn, [], START);
    expect(decision.kind).toBe("skip");
    expect(decision.kind === "skip" ? decision.reason : "").toMatch(
      /^fatigued: score 1\.00: 6 of the last 12 unopened in a row, opens 100 % → 0 %$/,
    );
  });

  it("still sends a higher-priority campaign, under a lowered cap", () => {
    expect(decideSend(cartIntent, important, worn, [], START)).toEqual({ kind: "send", variant: "a" });
    // Cap 4 halved to 2 for a score of 1: two sends this week stop the third.
    const ledger = [sent(START - 1000), sent(START - 2000, { key: "x#2" })];
    expect(decideSend(cartIntent, important, worn, ledger, START)).toEqual({
      kind: "skip",
      reason: "capped: 2 marketing emails in 7 days (cap lowered from 4: fatigued)",
    });
    expect(decideSend(cartIntent, important, withSends("oooooooooooo"), ledger, START).kind).toBe("send");
  });

  it("leaves customers alone for a campaign without the policy", () => {
    const plain = campaign({
      id: "newsletter",
      priority: 10,
      steps: [{ delay: "0m", template: "newsletter" }],
    });
    const [intent] = journeyIntents(plain, CUSTOMER, "1", START, START);
    if (intent === undefined) throw new Error("intent expected");
    expect(decideSend(intent, plain, worn, [], START).kind).toBe("send");
  });

  it("rejects a skipBelowPriority out of range, naming the field", () => {
    expect(() => campaign({ policy: { fatigue: { skipBelowPriority: -1 } } })).toThrow(/skipBelowPriority/);
  });
});

describe("the shipped newsletter", () => {
  it("skips a customer whose opens fell away, and still sends to an engaged one", () => {
    const newsletterStarter = campaignOf(starterLibrary(), "newsletter");
    const [intent] = journeyIntents(newsletterStarter, CUSTOMER, "1", START, START);
    if (intent === undefined) throw new Error("intent expected");
    // In the newsletter's audience: only fatigue stands in the way.
    const audience = { sg: { "high-engagement": { e: START - 1000, v: 1 } } };
    const decision = decideSend(intent, newsletterStarter, withSends("oooooo......", audience), [], START);
    expect(decision.kind === "skip" ? decision.reason : decision.kind).toMatch(/^fatigued: score 1\.00/);
    expect(decideSend(intent, newsletterStarter, withSends("oooooooooooo", audience), [], START).kind).toBe(
      "send",
    );
  });
});
