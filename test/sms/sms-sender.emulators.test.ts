import { PinpointSMSVoiceV2Client } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SmsServer, type SmsServerEvent, startSmsServer } from "#infra/local/sms-server.js";
import { inboundSmsToTrack, smsEventToTrack } from "#shared/app/sms-feedback.js";
import { SMS_CONTEXT, SmsVoiceV2Sender } from "#shared/aws/sms-voice-v2-sender.js";
import { checkCampaignDefinition, decideSend, journeyIntents } from "#shared/domain/campaigns/index.js";
import { parseEvent } from "#shared/domain/events/index.js";
import { emptyProfile, foldEvents, KIND_CODES, type Profile } from "#shared/domain/profile/index.js";
import type { OutgoingSms } from "#shared/ports.js";
import { SmsRejectedError, SmsUnavailableError } from "#shared/sms-errors.js";

const FROM = "+12065550152";
let server: SmsServer;
let sender: SmsVoiceV2Sender;
const events: SmsServerEvent[] = [];

const sms = (over: Partial<OutgoingSms> = {}): OutgoingSms => ({
  to: "+33612345678",
  body: "Your cart is waiting: https://shop.example/l/abc",
  messageType: "PROMOTIONAL",
  sendKey: "cart#c-1#2026-12-07#1",
  customerId: "c-1",
  campaignId: "cart",
  variant: "a",
  ...over,
});

beforeAll(async () => {
  server = await startSmsServer({ onEvent: (event) => events.push(event) });
  const client = new PinpointSMSVoiceV2Client({
    endpoint: server.url,
    region: "eu-west-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  sender = new SmsVoiceV2Sender({ client, originationIdentity: FROM, configurationSetName: "tailor-sms" });
});
afterAll(() => server.stop());

describe("SmsVoiceV2Sender against the SMS emulator", () => {
  it("sends through SendTextMessage with the identity, type, configuration set and context", async () => {
    // Prepare
    const body = "Grüße! Votre panier vous attend — 10 € offerts 😀";
    // Act
    const receipt = await sender.send(sms({ body }));
    // Assess
    const text = server.sent().find((t) => t.messageId === receipt.messageId);
    expect(text).toMatchObject({
      to: "+33612345678",
      from: FROM,
      body,
      messageType: "PROMOTIONAL",
      configurationSetName: "tailor-sms",
      encoding: "UCS-2",
      segments: 1,
      context: {
        [SMS_CONTEXT.customer]: "c-1",
        [SMS_CONTEXT.campaign]: "cart",
        [SMS_CONTEXT.variant]: "a",
        [SMS_CONTEXT.send]: "cart#c-1#2026-12-07#1",
      },
    });
  });

  it("emits the delivery event records of the text, carrying its context", async () => {
    server.setOutcome("+33699999999", "TEXT_CARRIER_UNREACHABLE");
    const receipt = await sender.send(sms({ to: "+33699999999" }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const records = events.flatMap((e) =>
      e.kind === "delivery" && e.record.messageId === receipt.messageId ? [e.record] : [],
    );
    expect(records.map((r) => r.eventType)).toEqual(["TEXT_SUCCESSFUL", "TEXT_CARRIER_UNREACHABLE"]);
    expect(records[1]).toMatchObject({
      destinationPhoneNumber: "+33699999999",
      context: { [SMS_CONTEXT.customer]: "c-1" },
    });
  });

  it("refuses a number that replied STOP as opted out (permanent), and sends again after START", async () => {
    const to = "+447700900123";
    await sender.send(sms({ to }));
    const reply = await fetch(`${server.url}/inbound`, {
      method: "POST",
      body: JSON.stringify({ from: to, body: "Stop" }),
    });
    expect(reply.status).toBe(202);
    expect(events.at(-1)).toMatchObject({
      kind: "inbound",
      message: { originationNumber: to, messageKeyword: "STOP", messageBody: "Stop" },
    });
    const refused = await sender.send(sms({ to })).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SmsRejectedError);
    expect(refused).toMatchObject({ optedOut: true, retryable: false });
    server.reply(to, "START");
    await expect(sender.send(sms({ to }))).resolves.toHaveProperty("messageId");
  });

  it("classifies a malformed number as rejected, not opted out", async () => {
    const error = await sender.send(sms({ to: "0612345678" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsRejectedError);
    expect(error).toMatchObject({ optedOut: false });
    expect(String(error)).toMatch(/ValidationException.*E\.164/);
  });

  it("classifies an unreachable endpoint as unavailable and never sent", async () => {
    const client = new PinpointSMSVoiceV2Client({
      endpoint: "http://127.0.0.1:1",
      region: "eu-west-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
    });
    const down = new SmsVoiceV2Sender({ client, originationIdentity: FROM, configurationSetName: "x" });
    const error = await down.send(sms()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SmsUnavailableError);
    expect(error).toMatchObject({ maybeSent: false, retryable: true });
  });

  it("shows the texts on its web page, escaped", async () => {
    await sender.send(sms({ body: "<b>bold</b> & more" }));
    const html = await (await fetch(server.url)).text();
    expect(html).toContain("&lt;b&gt;bold&lt;/b&gt; &amp; more");
    expect(html).toContain("+447700900123");
  });
});

describe("the emulator's feedback, mapped and folded", () => {
  it("a text, a STOP reply, and the next SMS step skipped with the reason", async () => {
    // Prepare: a customer who may receive texts, texted once through the emulator.
    const to = "+33655501234";
    const customer: Profile = {
      ...emptyProfile("c-stop", 0),
      t: { phone: to },
      c: { sms: { g: true, at: 0 } },
    };
    const receipt = await sender.send(sms({ to, customerId: "c-stop" }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    // Act: the recipient replies STOP; the delivery events and the reply go through the feedback mapping.
    server.reply(to, "STOP");
    const recipients = { customerOf: async (phone: string) => (phone === to ? "c-stop" : undefined) };
    const mapped = await Promise.all(
      events.flatMap((event) => {
        if (event.kind === "delivery" && event.record.messageId === receipt.messageId) {
          return [Promise.resolve(smsEventToTrack(event.record))];
        }
        if (event.kind === "inbound" && event.message.originationNumber === to) {
          return [inboundSmsToTrack(recipients, event.message, Date.now())];
        }
        return [];
      }),
    );
    const tailorEvents = mapped.flatMap((mapping) => {
      if (!mapping.ok) return [];
      const parsed = parseEvent(mapping.event, Date.now() + 1000);
      return parsed.ok ? [parsed.event] : [];
    });
    const profile = foldEvents(customer, "c-stop", tailorEvents, Date.now() + 1000).profile;
    // Assess: one delivery counted, consent withdrawn by the keyword, the next text skipped saying why.
    expect(profile.k[KIND_CODES.sms_delivered]?.n).toBe(1);
    expect(profile.c?.sms).toMatchObject({ g: false, src: "keyword STOP" });
    const journey = checkCampaignDefinition({
      id: "texts",
      purpose: "marketing",
      name: "Texts",
      version: 1,
      trigger: { event: "Product Added" },
      steps: [{ channel: "sms", sms: "cart-reminder" }],
    });
    if (!journey.ok) throw new Error("invalid campaign");
    const [next] = journeyIntents(journey.definition, "c-stop", "1", Date.now(), Date.now());
    if (next === undefined) throw new Error("one step");
    expect(decideSend(next, journey.definition, profile, [], Date.now())).toEqual({
      kind: "skip",
      reason: "no consent: sms withdrawn (keyword STOP)",
    });
    // And the provider refuses the number on its own list too.
    await expect(sender.send(sms({ to }))).rejects.toMatchObject({ optedOut: true });
  });
});
