import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainCommand } from "#cli/explain-command.js";
import { synthTemplate } from "#infra/app.js";
import type { LocalStack } from "#infra/local/local-stack.js";
import type { SmsServer } from "#infra/local/sms-server.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { LOCAL_SMS_SETTINGS } from "#infra/local-settings.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { KIND_CODES } from "#shared/domain/profile/index.js";
import { tempDir } from "../local/helpers.js";
import { putOnStream, streamMessages, tickAt } from "../local/stream-session.js";
import { TestClock } from "../local/test-clock.js";
import { startTestStack } from "../local/test-stack.js";
import { captureOutput } from "../support/capture-output.js";

/**
 * An SMS journey on the local stack with SMS on (the CLI's settings: the emulator in place of End User Messaging
 * SMS, its events and replies fed to the SMS feedback function as SNS would): a customer who opted in to texts
 * and not to email adds a product to the wishlist; the shipped wishlist reminder texts them a day later
 * (`email-else-sms`), the delivery comes back as an event; they reply STOP through the emulator; the text due
 * three days later is skipped, and `tailor explain` says why.
 */

const HOUR = 3_600_000;
/** 10:00 UTC: outside the starter's quiet hours (21:00–08:00 UTC). */
const T0 = Date.UTC(2026, 11, 2, 10);
const CUSTOMER = "sms-wisher";
const PHONE = "+33612345678";

const clock = new TestClock(T0 - HOUR);
const temp = tempDir("tailor-sms-journey-");
let stack: LocalStack;
let texts: SmsServer;
let kinesis: KinesisClient;
let dynamodb: DynamoDBClient;
const { track } = streamMessages("sms");

beforeAll(async () => {
  stack = await startTestStack({ dataDir: temp.dir, clock, template: synthTemplate(LOCAL_SMS_SETTINGS) });
  if (stack.sms === undefined) throw new Error("the SMS emulator did not start with SMS on");
  texts = stack.sms;
  kinesis = new KinesisClient({});
  dynamodb = new DynamoDBClient({});
  await putOnStream(stack, kinesis, [
    {
      type: "identify",
      messageId: `sms-identify-${CUSTOMER}`,
      userId: CUSTOMER,
      timestamp: new Date(T0 - HOUR).toISOString(),
      traits: { email: `${CUSTOMER}@example.com`, phone: "+33 6 12 34 56 78", first_name: "Ada" },
    },
    track(CUSTOMER, "Consent Updated", T0 - HOUR, { purpose: "sms", granted: true, source: "checkout" }),
  ]);
  clock.at = T0;
  await putOnStream(stack, kinesis, [
    track(CUSTOMER, "Product Added to Wishlist", T0, { product_id: "prod-home-017", price: 39.99 }),
  ]);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  for (const client of [kinesis, dynamodb]) client?.destroy();
  temp.remove();
});

const ledger = () => new DynamoSendLedger({ client: dynamodb, tableName: LOCAL_NAMES.sendLedgerTable });
const profile = async () =>
  (await new DynamoProfileStore({ client: dynamodb, tableName: LOCAL_NAMES.profileTable }).get(CUSTOMER))
    ?.profile;

describe("an SMS journey with STOP, on the local stack", () => {
  it("texts a customer without email consent from an email-else-sms step, and folds the delivery", async () => {
    await tickAt(stack, clock, T0 + 24 * HOUR + 60_000);
    const sent = texts.sent().filter((text) => text.to === PHONE);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toMatch(/^Tailor Demo Shop: Ada, something on your wishlist/);
    expect(sent[0]?.messageType).toBe("PROMOTIONAL");
    expect(sent[0]?.context).toMatchObject({
      tailor_customer: CUSTOMER,
      tailor_campaign: "wishlist-reminder",
    });
    const entries = await ledger().recent(CUSTOMER, T0, 20);
    expect(entries.filter((entry) => entry.outcome === "sent")).toMatchObject([
      { campaignId: "wishlist-reminder", channel: "sms" },
    ]);
    // TEXT_SUCCESSFUL then TEXT_DELIVERED, through the feedback function and the stream: one delivery.
    expect((await profile())?.k[KIND_CODES.sms_delivered]?.n).toBe(1);
  }, 180_000);

  it("sends the text's link as Tailor's short link: it redirects to the wishlist and the click is folded", async () => {
    const [text] = texts.sent().filter((each) => each.to === PHONE);
    const short = /(http:\/\/\S+\/l\/\S+)/.exec(text?.body ?? "")?.[1];
    expect(short).toBeDefined();
    expect(text?.body).not.toContain("/wishlist");
    const res = await fetch(short ?? "", { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toMatch(/\/wishlist$/);
    const forged = await fetch(`${short?.slice(0, -1)}${short?.endsWith("A") ? "B" : "A"}`, {
      redirect: "manual",
    });
    expect(forged.status).toBe(404);
    await stack.waitUntilIdle({ timeoutMs: 90_000 });
    expect((await profile())?.k[KIND_CODES.sms_clicked]?.n).toBe(1);
  }, 120_000);

  it("withdraws SMS consent on a STOP reply sent through the emulator", async () => {
    const reply = await fetch(`${texts.url}/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ from: PHONE, body: "Stop" }),
    });
    expect(reply.ok).toBe(true);
    await stack.waitUntilIdle({ timeoutMs: 90_000 });
    expect((await profile())?.c?.sms).toMatchObject({ g: false, src: "keyword STOP" });
    expect(texts.optedOut()).toContain(PHONE);
  }, 180_000);

  it("skips the next text, saying why, and tailor explain shows it", async () => {
    await tickAt(stack, clock, T0 + 72 * HOUR + 60_000);
    expect(texts.sent().filter((text) => text.to === PHONE)).toHaveLength(1);
    const entries = await ledger().recent(CUSTOMER, T0, 20);
    // Other starters skip this customer too (no email consent): the wishlist reminder's second step is the one.
    const skipped = entries.filter(
      (entry) => entry.outcome === "skipped" && entry.campaignId === "wishlist-reminder",
    );
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.reason).toMatch(/sms withdrawn \(keyword STOP\)/);
    const explained = await captureOutput(() =>
      explainCommand([CUSTOMER, "--data-dir", temp.dir, "--at", new Date(clock.now()).toISOString()]),
    );
    expect(explained.code).toBe(0);
    expect(explained.out).toMatch(/wishlist-reminder/);
    expect(explained.out).toMatch(/sms withdrawn \(keyword STOP\)/);
  }, 180_000);
});
