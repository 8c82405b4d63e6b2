import { describe, expect, it } from "vitest";
import { mayProfile } from "#shared/domain/profile/consent.js";
import { DAY_MS, type Profile } from "#shared/domain/profile/index.js";
import { rawEvents } from "../factories/events.js";
import { at, evaluateRule, profileOf } from "../segments/helpers.js";

const NOW = Date.UTC(2026, 10, 20, 10, 20);
const MINUTE = 60_000;
const SCORES = { sc: { churn: { p: 0.9, t: "high" as const, at: NOW - DAY_MS } } };

/** A scored customer whose events (folded by the real fold) are `raws`. */
function scored(...raws: Record<string, unknown>[]): Profile {
  return { ...profileOf(NOW, rawEvents.page({}, at(NOW - 10 * MINUTE)), ...raws), ...SCORES };
}

const withdrawn = () =>
  scored(
    rawEvents.consentUpdated(
      { purpose: "profiling", granted: false, source: "preferences" },
      at(NOW - MINUTE),
    ),
  );

describe("mayProfile", () => {
  it("is true without a profiling decision and after a grant, false after a withdrawal", () => {
    expect(mayProfile(scored())).toBe(true);
    expect(
      mayProfile(scored(rawEvents.consentUpdated({ purpose: "profiling", granted: true }, at(NOW)))),
    ).toBe(true);
    expect(mayProfile(withdrawn())).toBe(false);
  });

  it("follows the latest decision, and ignores other purposes", () => {
    const regranted = scored(
      rawEvents.consentUpdated({ purpose: "profiling", granted: false }, at(NOW - 2 * MINUTE)),
      rawEvents.consentUpdated({ purpose: "profiling", granted: true }, at(NOW - MINUTE)),
    );
    const unsubscribed = scored(rawEvents.unsubscribed({}, at(NOW - MINUTE)));
    const unsubscribedFromProfiling = scored(
      rawEvents.unsubscribed({ purpose: "profiling" }, at(NOW - MINUTE)),
    );

    expect(mayProfile(regranted)).toBe(true);
    expect(mayProfile(unsubscribed)).toBe(true);
    expect(mayProfile(unsubscribedFromProfiling)).toBe(false);
  });
});

describe("segments by model score without profiling consent", () => {
  const byScore = { score: { model: "churn", gte: 0.5 } };
  const byTier = { tier: { model: "churn", in: ["high"] } };

  it("put a consenting customer in by score and by tier", () => {
    expect(evaluateRule(byScore, scored(), NOW).member).toBe(true);
    expect(evaluateRule(byTier, scored(), NOW).member).toBe(true);
  });

  it("never put a customer who withdrew profiling consent in, and say why", () => {
    const score = evaluateRule(byScore, withdrawn(), NOW);
    const tier = evaluateRule(byTier, withdrawn(), NOW);
    const combined = evaluateRule({ all: [byScore, { lifecycle: { in: ["new_lead"] } }] }, withdrawn(), NOW);

    expect(score.member).toBe(false);
    expect(tier.member).toBe(false);
    expect(combined.member).toBe(false);
    expect(evaluateRule({ lifecycle: { in: ["new_lead"] } }, withdrawn(), NOW).member).toBe(true);
    expect(score.reason.seen).toBe("profiling consent withdrawn");
  });
});
