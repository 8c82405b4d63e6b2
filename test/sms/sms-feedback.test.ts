import { describe, expect, it } from "vitest";
import { inboundSmsToTrack, type SmsFeedbackMapping, smsEventToTrack } from "#shared/app/sms-feedback.js";
import { decideSend, journeyIntents } from "#shared/domain/campaigns/index.js";
import { parseEvent } from "#shared/domain/events/index.js";
import { foldEvents, KIND_CODES, type Profile } from "#shared/domain/profile/index.js";
import { campaign, reachable } from "../campaigns/helpers.js";

const AT = Date.UTC(2026, 11, 7, 10);
const CUSTOMER = "user-1";
const record = (eventType: string, over: Record<string, unknown> = {}) => ({
  eventType,
  eventVersion: "1.0",
  eventTimestamp: AT,
  isFinal: true,
  originationPhoneNumber: "+12065550152",
  destinationPhoneNumber: "+33612345678",
  messageId: "m-1",
  messageStatus: "X",
  context: { tailor_customer: CUSTOMER, tailor_campaign: "cart", tailor_variant: "a" },
  ...over,
});

/** The mapped events folded into a customer who can receive texts. */
function folded(...mappings: SmsFeedbackMapping[]): Profile {
  const events = mappings.flatMap((mapping) => {
    if (!mapping.ok) return [];
    const result = parseEvent(mapping.event, AT + 1000);
    if (!result.ok) throw result.error;
    return [result.event];
  });
  const start: Profile = reachable({
    t: { email: "ada@example.com", phone: "+33612345678" },
    c: { sms: { g: true, at: 0 } },
  });
  return foldEvents(start, CUSTOMER, events, AT + 1000).profile;
}

describe("smsEventToTrack", () => {
  it("counts a delivery once, though TEXT_SUCCESSFUL and TEXT_DELIVERED both come", () => {
    const profile = folded(
      smsEventToTrack(record("TEXT_SUCCESSFUL")),
      smsEventToTrack(record("TEXT_DELIVERED")),
    );
    expect(profile.k[KIND_CODES.sms_delivered]?.n).toBe(1);
  });

  it("suppresses SMS after TEXT_INVALID, counts other failures without suppressing", () => {
    const unreachable = folded(smsEventToTrack(record("TEXT_CARRIER_UNREACHABLE")));
    expect(unreachable.k[KIND_CODES.sms_failed]?.n).toBe(1);
    expect(unreachable.s?.sms_failed).toBeUndefined();
    const invalid = folded(smsEventToTrack(record("TEXT_INVALID")));
    expect(invalid.s?.sms_failed).toEqual({ r: "TEXT_INVALID", at: AT });
  });

  it("withdraws SMS consent on TEXT_BLOCKED", () => {
    const profile = folded(smsEventToTrack(record("TEXT_BLOCKED")));
    expect(profile.c?.sms).toEqual({ g: false, at: AT, src: "TEXT_BLOCKED" });
  });

  it("passes over queued events, texts without Tailor's context, and malformed records, saying why", () => {
    expect(smsEventToTrack(record("TEXT_QUEUED"))).toMatchObject({ ok: false, reason: "ignored" });
    expect(smsEventToTrack(record("TEXT_DELIVERED", { context: {} }))).toMatchObject({
      ok: false,
      reason: "unattributed",
    });
    expect(smsEventToTrack({ eventType: "TEXT_DELIVERED" })).toMatchObject({
      ok: false,
      reason: "invalid",
      message: expect.stringContaining("messageId"),
    });
  });
});

describe("inboundSmsToTrack (keyword opt-out)", () => {
  const recipients = {
    customerOf: async (phone: string) => (phone === "+33612345678" ? CUSTOMER : undefined),
  };
  const reply = (body: string, from = "+33612345678") => ({
    originationNumber: from,
    destinationNumber: "+12065550152",
    messageKeyword: "",
    messageBody: body,
    inboundMessageId: `in-${body}`,
  });

  it("STOP withdraws SMS consent, and the next SMS step is skipped saying why", async () => {
    const profile = folded(await inboundSmsToTrack(recipients, reply("stop"), AT));
    expect(profile.c?.sms).toEqual({ g: false, at: AT, src: "keyword STOP" });
    const cart = campaign({ steps: [{ delay: "1h", channel: "sms", sms: "cart-reminder" }] });
    const [step] = journeyIntents(cart, CUSTOMER, "1", AT, AT);
    if (step === undefined) throw new Error("one step");
    expect(decideSend(step, cart, profile, [], AT + 3_600_000)).toEqual({
      kind: "skip",
      reason: "no consent: sms withdrawn (keyword STOP)",
    });
  });

  it("START gives consent back; other replies and unknown numbers change nothing", async () => {
    const restarted = folded(
      await inboundSmsToTrack(recipients, reply("STOP"), AT),
      await inboundSmsToTrack(recipients, reply("START"), AT + 1),
    );
    expect(restarted.c?.sms).toMatchObject({ g: true, src: "keyword START" });
    expect(await inboundSmsToTrack(recipients, reply("where is my parcel?"), AT)).toMatchObject({
      ok: false,
      reason: "ignored",
    });
    expect(await inboundSmsToTrack(recipients, reply("STOP", "+447700900123"), AT)).toMatchObject({
      ok: false,
      reason: "unattributed",
    });
  });
});
