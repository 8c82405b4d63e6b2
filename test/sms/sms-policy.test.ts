import { describe, expect, it } from "vitest";
import {
  buildCampaignLibrary,
  checkCampaignDefinition,
  decideSend,
  journeyIntents,
} from "#shared/domain/campaigns/index.js";
import type { Profile } from "#shared/domain/profile/index.js";
import { CATALOG, CUSTOMER, campaign, DAY, HOUR, reachable, sent } from "../campaigns/helpers.js";

const START = Date.UTC(2026, 0, 12, 10);
const cart = campaign({
  steps: [
    { delay: "4h", template: "cart-abandonment" },
    { delay: "48h", template: "cart-abandonment", channel: "email-else-sms", sms: "cart-reminder" },
    { delay: "72h", channel: "sms", sms: "cart-reminder" },
  ],
  policy: {
    frequencyCap: { max: 3, per: "7d" },
    channelCaps: { sms: { max: 1, per: "7d" } },
    quietHours: { start: "21:00", end: "08:00", defaultTimeZone: "UTC" },
  },
});
const [emailStep, eitherStep, smsStep] = journeyIntents(cart, CUSTOMER, String(START), START, START);
if (emailStep === undefined || eitherStep === undefined || smsStep === undefined) throw new Error("3 steps");

/** A customer with a phone and SMS consent, and no email consent. */
const texter = (overrides: Partial<Profile> = {}): Profile =>
  reachable({
    t: { email: "ada@example.com", phone: "+33612345678" },
    c: { sms: { g: true, at: 0 } },
    ...overrides,
  });

const checkSteps = (steps: readonly Record<string, unknown>[]) =>
  checkCampaignDefinition({ id: "c", name: "C", version: 1, trigger: { event: "Product Added" }, steps });

describe("step channel at build time", () => {
  it("needs an SMS template for sms and email-else-sms, naming the step", () => {
    const checked = checkSteps([
      { template: "cart-abandonment" },
      { delay: "1h", template: "cart-abandonment", channel: "sms" },
    ]);
    expect(checked.ok).toBe(false);
    expect(JSON.stringify(checked)).toContain("channel sms needs an SMS template");
    expect(JSON.stringify(checked)).toContain("steps[1].sms");
  });

  it("refuses an unknown channel with the choices", () => {
    const checked = checkSteps([{ template: "cart-abandonment", channel: "fax" }]);
    expect(JSON.stringify(checked)).toContain("expected one of email, sms, email-else-sms");
  });
});

describe("decideSend: channels", () => {
  it("email-else-sms takes email when the customer can receive it", () => {
    const profile = texter({ c: { marketing_email: { g: true, at: 0 }, sms: { g: true, at: 0 } } });
    expect(decideSend(eitherStep, cart, profile, [], eitherStep.dueAt)).toEqual({
      kind: "send",
      variant: "a",
    });
  });

  it("email-else-sms falls back to SMS without email consent", () => {
    expect(decideSend(eitherStep, cart, texter(), [], eitherStep.dueAt)).toEqual({
      kind: "send",
      variant: "a",
      channel: "sms",
    });
  });

  it("says why neither channel can be used", () => {
    const profile = texter({ c: { sms: { g: false, at: 5, src: "keyword STOP" } } });
    expect(decideSend(eitherStep, cart, profile, [], eitherStep.dueAt)).toEqual({
      kind: "skip",
      reason: "no consent: marketing_email not granted; SMS: no consent: sms withdrawn (keyword STOP)",
    });
  });

  it("an sms step needs a phone in E.164, SMS consent for marketing, and no SMS suppression", () => {
    const due = smsStep.dueAt;
    const skip = (profile: Profile) => decideSend(smsStep, cart, profile, [], due);
    expect(skip(texter({ t: { phone: "06 12 34 56 78" } }))).toMatchObject({
      reason: "phone number not in E.164 (+ and country code)",
    });
    expect(skip(texter({ t: {} }))).toMatchObject({ reason: "no phone number" });
    expect(skip(texter({ c: {} }))).toMatchObject({ reason: "no consent: sms not granted" });
    expect(skip(texter({ s: { sms_failed: { r: "TEXT_INVALID", at: 1 } } }))).toMatchObject({
      reason: "suppressed: SMS TEXT_INVALID",
    });
    expect(skip(texter())).toMatchObject({ kind: "send", channel: "sms" });
  });

  it("a transactional text needs no opt-in but respects a STOP", () => {
    const receipts = campaign({
      id: "receipt",
      purpose: "transactional",
      steps: [{ channel: "sms", sms: "cart-reminder" }],
    });
    const [first] = journeyIntents(receipts, CUSTOMER, "o-1", START, START);
    if (first === undefined) throw new Error("one step");
    expect(decideSend(first, receipts, texter({ c: {} }), [], START).kind).toBe("send");
    const stopped = texter({ c: { sms: { g: false, at: 1, src: "keyword STOP" } } });
    expect(decideSend(first, receipts, stopped, [], START)).toMatchObject({ kind: "skip" });
  });

  it("quiet hours hold texts too, in the customer's zone", () => {
    const night = Date.UTC(2026, 0, 15, 23);
    const decision = decideSend({ ...smsStep, dueAt: night }, cart, texter(), [], night);
    expect(decision).toMatchObject({ kind: "defer", reason: "quiet hours until 08:00 UTC" });
  });
});

describe("frequency caps across channels", () => {
  it("an email and texts count together toward the shared cap", () => {
    const due = eitherStep.dueAt;
    const ledger = [sent(due - DAY), sent(due - 2 * DAY, { channel: "sms" }), sent(due - HOUR)];
    const profile = texter({ c: { marketing_email: { g: true, at: 0 }, sms: { g: true, at: 0 } } });
    expect(decideSend(eitherStep, cart, profile, ledger, due)).toEqual({
      kind: "skip",
      reason: "capped: 3 marketing sends (2 emails, 1 SMS) in 7 days",
    });
    expect(decideSend(eitherStep, cart, profile, ledger.slice(1), due).kind).toBe("send");
  });

  it("a channel's own cap counts only its channel", () => {
    const due = smsStep.dueAt;
    const oneText = [sent(due - DAY, { channel: "sms" })];
    expect(decideSend(smsStep, cart, texter(), oneText, due)).toEqual({
      kind: "skip",
      reason: "capped: 1 marketing SMS in 7 days",
    });
    // An email does not use up the SMS cap.
    expect(decideSend(smsStep, cart, texter(), [sent(due - DAY)], due)).toMatchObject({ kind: "send" });
  });
});

describe("SMS template references", () => {
  it("the library refuses a step naming an SMS template that does not exist, and accepts a known one", () => {
    const refs = {
      templates: CATALOG,
      segmentIds: new Set<string>(),
      smsTemplates: new Set(["cart-reminder"]),
    };
    expect(() => buildCampaignLibrary([cart], refs)).not.toThrow();
    const typo = campaign({ id: "typo", steps: [{ channel: "sms", sms: "cart-remindr" }] });
    expect(() => buildCampaignLibrary([typo], refs)).toThrow(
      "typo steps[0].sms: no SMS template cart-remindr (templates/sms/cart-remindr.liquid)",
    );
  });
});
