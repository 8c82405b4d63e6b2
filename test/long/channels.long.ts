import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainCommand } from "#cli/explain-command.js";
import { keysCommand } from "#cli/keys-command.js";
import { synthTemplate } from "#infra/app.js";
import type { LocalStack } from "#infra/local/local-stack.js";
import type { SmsServer } from "#infra/local/sms-server.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { LOCAL_SMS_SETTINGS } from "#infra/local-settings.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import type { LedgerEntry } from "#shared/domain/campaigns/contracts.js";
import { simulatorCatalogProducts } from "#shared/sim/catalog-products.js";
import { tempDir } from "../local/helpers.js";
import { mailTo, putOnStream, streamMessages, tickAt } from "../local/stream-session.js";
import { TestClock } from "../local/test-clock.js";
import { startTestStack } from "../local/test-stack.js";
import { captureOutput } from "../support/capture-output.js";

/**
 * One customer, every channel: four journeys of issue 22 on ONE local stack with SMS on (the SMS emulator in
 * place of End User Messaging SMS) and the campaigns of `test/long/fixtures/channels/` (each started by an
 * event of its own, so the journeys do not meet):
 * - a frequency cap of two marketing messages a week holds across email and SMS, whichever channels the
 *   campaigns use and whether the requests come together or one by one; the skip names the cap;
 * - `GET /v1/content/{slot}` (write key) answers the same recommended products, offer and articles as the
 *   newsletter emailed to that customer at the same time; an unknown visitor gets the default block;
 * - a customer whose opens fell away is skipped by a low-priority campaign with the fatigue reason, shown by
 *   `tailor explain`; an engaged one is not, and a high-priority campaign still reaches the fatigued one; a
 *   tired customer's cap is lowered (3 → 2), the skip saying so;
 * - `sendTime: best` sends at the local hour a customer's opens cluster at, in their zone; a customer with no
 *   opens at the population prior's hour.
 * The stack's clock starts on Wednesday 2 December 2026, 10:00 UTC; only the best-time journey moves it on.
 */

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 11, 2, 10);

const clock = new TestClock(T0);
const temp = tempDir("tailor-channels-");
let stack: LocalStack;
let texts: SmsServer;
let kinesis: KinesisClient;
let dynamodb: DynamoDBClient;
let ledger: DynamoSendLedger;
const { track, signUp } = streamMessages("channels");

/** The ledger entries of `campaigns` for a customer, oldest first. */
async function entriesOf(customerId: string, campaigns: readonly string[]): Promise<LedgerEntry[]> {
  const entries = await ledger.recent(customerId, T0 - DAY, 100);
  return entries.filter((entry) => campaigns.includes(entry.campaignId)).sort((a, b) => a.at - b.at);
}

/** `tailor explain <customer>` at the stack's time: its exit code and what it printed. */
async function explain(customerId: string) {
  return captureOutput(() =>
    explainCommand([customerId, "--data-dir", temp.dir, "--at", new Date(clock.now()).toISOString()]),
  );
}

// --- The cross-channel cap --------------------------------------------------------------------------------
/** Asks for two emails and two texts in one batch of the stream. */
const CAP_TOGETHER = "cap-together";
/** Asks for two texts, then an email, then a text, one by one. */
const CAP_ONE_BY_ONE = "cap-one-by-one";
const PHONES: Readonly<Record<string, { readonly written: string; readonly e164: string }>> = {
  [CAP_TOGETHER]: { written: "+33 6 12 34 56 01", e164: "+33612345601" },
  [CAP_ONE_BY_ONE]: { written: "+33 6 12 34 56 02", e164: "+33612345602" },
};
const CAP_CAMPAIGNS = ["cap-email", "cap-text"];

/** A customer who may be emailed and texted (both consents, an address and a number). */
function reachableByBoth(customerId: string, at: number) {
  return [
    ...signUp(customerId, at, { phone: PHONES[customerId]?.written, first_name: "Lou" }),
    track(customerId, "Consent Updated", at, { purpose: "sms", granted: true, source: "checkout" }),
  ];
}

// --- On-site content ----------------------------------------------------------------------------------------
const READER = "web-reader";
const books = ["prod-books-003", "prod-books-007", "prod-books-011"];

/** Three orders of books in two months (a frequent buyer: the VIP offer) and a look at electronics today. */
function readerHistory() {
  const order = (n: number, at: number, productId: string) =>
    track(READER, "Order Completed", at, {
      order_id: `web-order-${n}`,
      total: 20,
      currency: "USD",
      products: [{ product_id: productId, category: "books", price: 20, quantity: 1 }],
    });
  return [
    ...signUp(READER, T0 - 60 * DAY, { first_name: "Noor" }),
    order(1, T0 - 50 * DAY, books[0] ?? ""),
    order(2, T0 - 30 * DAY, books[1] ?? ""),
    order(3, T0 - 6 * DAY, books[2] ?? ""),
    track(READER, "Product Viewed", T0 - HOUR, {
      product_id: "prod-electronics-008",
      category: "electronics",
      price: 39.99,
    }),
  ];
}

// --- Fatigue -------------------------------------------------------------------------------------------------
const TIRED = "tired-reader";
const KEEN = "keen-reader";
/** Opens falling off lately (the last two of six unopened): tired, not fatigued; the cap of 3 lowered to 2. */
const WEARY = "weary-reader";
const FATIGUE_CAMPAIGNS = ["digest", "big-sale"];

/** `sends` emails delivered every other day up to yesterday; the first `opened` of them opened an hour later. */
function mailHistory(customerId: string, sends: number, opened: number) {
  return Array.from({ length: sends }, (_, i) => {
    const at = T0 - (sends - i) * 2 * DAY;
    const email = { message_id: `${customerId}-mail-${i}`, campaign_id: "weekly", variant: "a" };
    return [
      track(customerId, "Email Delivered", at, email),
      ...(i < opened ? [track(customerId, "Email Opened", at + HOUR, email)] : []),
    ];
  }).flat();
}

// --- Best time ---------------------------------------------------------------------------------------------
/** Opens at 14:xx in Tokyo (05:xx UTC) on six days: 14:00 is their hour, whatever the prior. */
const OWL = "tokyo-reader";
const OWL_ZONE = "Asia/Tokyo";
const OWL_HOUR = 14;
/** No opens at all: the population prior decides. */
const NEWCOMER = "new-yorker";
const NEWCOMER_ZONE = "America/New_York";

function owlHistory() {
  return Array.from({ length: 6 }, (_, i) => {
    // 05:10 + i minutes UTC, i + 1 days ago: 14:10 in Tokyo (UTC+9, no summer time).
    const at = Date.UTC(2026, 11, 1 - i, 5, 10 + i);
    const email = { message_id: `${OWL}-mail-${i}`, campaign_id: "weekly", variant: "a" };
    return [track(OWL, "Email Delivered", at - HOUR, email), track(OWL, "Email Opened", at, email)];
  }).flat();
}

/** The local hour of `at` in `timeZone` (0–23), by the platform's own time-zone data. */
function localHour(at: number, timeZone: string): number {
  const hour = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(at);
  return Number(hour);
}

beforeAll(async () => {
  stack = await startTestStack({
    dataDir: temp.dir,
    clock,
    template: synthTemplate(LOCAL_SMS_SETTINGS),
    env: { CAMPAIGNS_DIR: "test/long/fixtures/channels" },
  });
  if (stack.sms === undefined) throw new Error("the SMS emulator did not start with SMS on");
  texts = stack.sms;
  kinesis = new KinesisClient({});
  dynamodb = new DynamoDBClient({});
  ledger = new DynamoSendLedger({ client: dynamodb, tableName: LOCAL_NAMES.sendLedgerTable });
  // Who the customers are first (traits and zones before the opens counted in them), then what they did.
  await putOnStream(stack, kinesis, [
    ...reachableByBoth(CAP_TOGETHER, T0 - DAY),
    ...reachableByBoth(CAP_ONE_BY_ONE, T0 - DAY),
    ...signUp(TIRED, T0 - 40 * DAY, { first_name: "Tess" }),
    ...signUp(KEEN, T0 - 40 * DAY, { first_name: "Kim" }),
    ...signUp(WEARY, T0 - 40 * DAY, { first_name: "Wes" }),
    ...signUp(OWL, T0 - 40 * DAY, { first_name: "Aiko", timezone: OWL_ZONE }),
    ...signUp(NEWCOMER, T0 - 40 * DAY, { first_name: "Ned", timezone: NEWCOMER_ZONE }),
  ]);
  await putOnStream(stack, kinesis, [
    ...readerHistory(),
    ...mailHistory(TIRED, 12, 6),
    ...mailHistory(KEEN, 6, 6),
    ...mailHistory(WEARY, 6, 4),
    ...owlHistory(),
  ]);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
  for (const client of [kinesis, dynamodb]) client?.destroy();
  temp.remove();
});

describe("a frequency cap across channels, on the local stack", () => {
  it("holds for requests that come together: two of twelve messages go out, ten are capped", async () => {
    // Act: six emails and six texts asked for within seconds, in one put: their intents reach dispatch in more
    // than one batch of the sends queue, handled in parallel
    const at = clock.now() - 12_000;
    await putOnStream(
      stack,
      kinesis,
      Array.from({ length: 12 }, (_, i) =>
        track(CAP_TOGETHER, i % 2 === 0 ? "Email Offer Requested" : "Text Offer Requested", at + i * 1_000),
      ),
    );

    // Assess: two messages reached the customer, on whichever channels; the other ten name the cap
    const mails = await mailTo(stack, CAP_TOGETHER);
    const sms = texts.sent().filter((text) => text.to === PHONES[CAP_TOGETHER]?.e164);
    const entries = await entriesOf(CAP_TOGETHER, CAP_CAMPAIGNS);
    expect(entries).toHaveLength(12);
    const sent = entries.filter((entry) => entry.outcome === "sent");
    expect(sent).toHaveLength(2);
    expect(mails.length + sms.length).toBe(2);
    expect(sent.filter((entry) => entry.channel === "sms")).toHaveLength(sms.length);
    const skipped = entries.filter((entry) => entry.outcome === "skipped");
    expect(skipped).toHaveLength(10);
    for (const entry of skipped) {
      expect(entry.reason).toMatch(/^capped: 2 marketing (emails|sends \(.*\)) in 7 days$/);
    }
  }, 180_000);

  it("holds one by one: two texts, then the email and the next text are capped, naming both channels", async () => {
    // Act
    for (const event of [
      "Text Offer Requested",
      "Text Offer Requested",
      "Email Offer Requested",
      "Text Offer Requested",
    ]) {
      await putOnStream(stack, kinesis, [track(CAP_ONE_BY_ONE, event, clock.now())]);
    }

    // Assess
    const entries = await entriesOf(CAP_ONE_BY_ONE, CAP_CAMPAIGNS);
    expect(entries.map((entry) => [entry.campaignId, entry.outcome, entry.reason])).toEqual([
      ["cap-text", "sent", undefined],
      ["cap-text", "sent", undefined],
      ["cap-email", "skipped", "capped: 2 marketing sends (0 emails, 2 SMS) in 7 days"],
      ["cap-text", "skipped", "capped: 2 marketing sends (0 emails, 2 SMS) in 7 days"],
    ]);
    expect(texts.sent().filter((text) => text.to === PHONES[CAP_ONE_BY_ONE]?.e164)).toHaveLength(2);
    expect(await mailTo(stack, CAP_ONE_BY_ONE)).toHaveLength(0);
    const explained = await explain(CAP_ONE_BY_ONE);
    expect(explained.code).toBe(0);
    expect(explained.out).toContain("capped: 2 marketing sends (0 emails, 2 SMS) in 7 days");
  }, 180_000);
});

/** `Basic base64(<key>:)`, as Segment's libraries send a write key. */
const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;

/** The product ids of the shop's product links in `html`, in order of first appearance (tracking tags cut). */
function productIdsIn(html: string): string[] {
  const byUrl = new Map(simulatorCatalogProducts().map((product) => [product.url, product.productId]));
  const ids = [...html.matchAll(/href="(https:\/\/example\.com\/products\/[^"?#]+)/g)].map((m) =>
    byUrl.get(m[1] ?? ""),
  );
  return [...new Set(ids.filter((id) => id !== undefined))];
}

/** The content library's article ids linked in `html` (`…/journal/<id>`), in order of first appearance. */
const articleIdsIn = (html: string): string[] => [
  ...new Set([...html.matchAll(/href="[^"]*\/journal\/([\w-]+)/g)].map((m) => m[1] ?? "")),
];

/** The offer codes shown, in order (the offer block sets them in bold). */
const offerCodesIn = (html: string): string[] =>
  [...html.matchAll(/<strong>([A-Z]+\d+)<\/strong>/g)].map((m) => m[1] ?? "");

describe("on-site content, on the local stack", () => {
  let writeKey = "";
  const content = async (
    slot: string,
    query: string,
    key: string | null = writeKey,
    headers: Record<string, string> = {},
  ) => {
    const response = await fetch(`${stack.apiUrl}/v1/content/${slot}?${query}`, {
      headers: { ...headers, ...(key === null ? {} : { authorization: basic(key) }) },
    });
    return { status: response.status, headers: response.headers, body: await response.text() };
  };

  beforeAll(async () => {
    const created = await captureOutput(() =>
      keysCommand(["create", "--source", "web", "--data-dir", temp.dir]),
    );
    expect(created.code, created.err).toBe(0);
    writeKey = created.out.split("\n")[0] ?? "";
  });

  it("answers the products, offer and articles of the email sent to the same customer", async () => {
    // Act: the page's three slots for the customer, then the newsletter emailed to them in the same minute
    const who = `userId=${READER}`;
    const forYou = await content("for-you", who);
    const offer = await content("offer", who);
    const reading = await content("reading", who);
    const forYouHtml = await content("for-you", `${who}&format=html`);
    await putOnStream(stack, kinesis, [track(READER, "Newsletter Requested", clock.now())]);

    // Assess: one email, and the page's data points are the email's
    expect([forYou.status, offer.status, reading.status, forYouHtml.status]).toEqual([200, 200, 200, 200]);
    const mails = await mailTo(stack, READER);
    expect(mails).toHaveLength(1);
    const html = mails[0]?.html ?? "";
    const text = mails[0]?.text ?? "";

    const products = JSON.parse(forYou.body);
    expect(products).toMatchObject({ slot: "for-you", known: true });
    const productIds: string[] = products.recommendations.map((product: { id: string }) => product.id);
    expect(productIds).toHaveLength(4);
    // No model served here: the favourite category's best sellers (books), never what the customer bought.
    expect(products.recommendationsBasis).toBe("interests");
    for (const bought of books) expect(productIds).not.toContain(bought);
    expect(productIdsIn(html).slice(0, 4)).toEqual(productIds);
    expect(productIdsIn(forYouHtml.body)).toEqual(productIds);

    const offered = JSON.parse(offer.body);
    // Three orders in two months: the frequent buyer's offer, in the email's HTML and text alike.
    expect(offered.offer).toMatchObject({ code: "VIP15" });
    expect(offerCodesIn(html)).toEqual(["VIP15"]);
    expect(text).toContain("VIP15");

    const articles = JSON.parse(reading.body);
    const articleIds: string[] = articles.content.map((item: { id: string }) => item.id);
    expect(articleIds.length).toBeGreaterThan(0);
    expect(articleIdsIn(html)).toEqual(articleIds);
  }, 180_000);

  it("answers an unknown visitor with the default block, and refuses a call without the write key", async () => {
    const unknown = await content("for-you", "anonymousId=never-seen-visitor");
    expect(unknown.status).toBe(200);
    const products = JSON.parse(unknown.body);
    expect(products).toMatchObject({ known: false, recommendationsBasis: "popular" });
    expect(products.recommendations).toHaveLength(4);
    const offer = JSON.parse((await content("offer", "anonymousId=never-seen-visitor")).body);
    expect(offer).toMatchObject({ known: false, offer: { code: "WELCOME10" } });
    expect((await content("for-you", `userId=${READER}`, null)).status).toBe(401);
  }, 60_000);

  it("is cacheable for seconds through the HTTP API: an ETag, and 304 for a page that has it", async () => {
    const first = await content("offer", `userId=${READER}`);
    expect(first.headers.get("cache-control")).toBe("private, max-age=30");
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await content("offer", `userId=${READER}`, writeKey, { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.body).toBe("");
  }, 60_000);
});

describe("fatigue, on the local stack", () => {
  it("skips a fatigued customer for a low-priority campaign, saying why; an engaged one gets it", async () => {
    // Act
    await putOnStream(stack, kinesis, [
      track(TIRED, "Digest Requested", clock.now()),
      track(KEEN, "Digest Requested", clock.now()),
    ]);

    // Assess
    const reason = "fatigued: score 1.00: 6 of the last 12 unopened in a row, opens 100 % → 0 %";
    expect(
      (await entriesOf(TIRED, FATIGUE_CAMPAIGNS)).map((e) => [e.campaignId, e.outcome, e.reason]),
    ).toEqual([["digest", "skipped", reason]]);
    expect(await mailTo(stack, TIRED)).toHaveLength(0);
    expect((await entriesOf(KEEN, FATIGUE_CAMPAIGNS)).map((e) => [e.campaignId, e.outcome])).toEqual([
      ["digest", "sent"],
    ]);
    expect(await mailTo(stack, KEEN)).toHaveLength(1);
    const explained = await explain(TIRED);
    expect(explained.code).toBe(0);
    expect(explained.out).toContain(
      "fatigued (score 1.00: 6 of the last 12 unopened in a row, opens 100 % → 0 %)",
    );
    expect(explained.out).toContain(reason);
  }, 180_000);

  it("still sends the fatigued customer a high-priority campaign", async () => {
    await putOnStream(stack, kinesis, [track(TIRED, "Sale Announced", clock.now())]);
    const sale = (await entriesOf(TIRED, FATIGUE_CAMPAIGNS)).filter((e) => e.campaignId === "big-sale");
    expect(sale.map((e) => e.outcome)).toEqual(["sent"]);
    expect(await mailTo(stack, TIRED)).toHaveLength(1);
  }, 180_000);

  it("lowers the cap of a tired customer: the third sale email of the week is capped at two, saying why", async () => {
    // Act: three sales announced one after the other (priority 70: fatigue does not skip them)
    for (let n = 0; n < 3; n++)
      await putOnStream(stack, kinesis, [track(WEARY, "Sale Announced", clock.now())]);

    // Assess
    const explained = await explain(WEARY);
    expect(explained.out).toContain(
      "tired (score 0.50: 2 of the last 6 unopened in a row, opens 100 % → 33 %)",
    );
    expect((await entriesOf(WEARY, FATIGUE_CAMPAIGNS)).map((e) => [e.outcome, e.reason])).toEqual([
      ["sent", undefined],
      ["sent", undefined],
      ["skipped", "capped: 2 marketing emails in 7 days (cap lowered from 3: tired)"],
    ]);
    expect(await mailTo(stack, WEARY)).toHaveLength(2);
  }, 180_000);
});

describe("sendTime: best, on the local stack", () => {
  it("sends at the hour each customer's opens cluster at, in their zone; the prior's hour without opens", async () => {
    // Act: both ask at 10:00 UTC (19:00 in Tokyo, 05:00 in New York)
    const asked = clock.now();
    await putOnStream(stack, kinesis, [
      track(OWL, "Best Time Requested", asked),
      track(NEWCOMER, "Best Time Requested", asked),
    ]);

    // Assess: both deferred to an hour of their own, saying which and why
    const deferral = async (customerId: string) => {
      const entries = await entriesOf(customerId, ["best-time"]);
      expect(entries.map((entry) => entry.outcome)).toEqual(["deferred"]);
      return entries[0]?.reason ?? "";
    };
    expect(await deferral(OWL)).toBe(`best time: ${OWL_HOUR}:00 ${OWL_ZONE} (from 6 opens)`);
    const prior = /^best time: (\d\d):00 America\/New_York \((?:learned |default )?population prior\)$/.exec(
      await deferral(NEWCOMER),
    );
    expect(prior).not.toBeNull();
    const priorHour = Number(prior?.[1]);
    // The quiet hours (21:00–08:00) are never chosen.
    expect(priorHour).toBeGreaterThanOrEqual(8);
    expect(priorHour).toBeLessThan(21);

    // The first whole hour within the day after asking at that local hour.
    const firstAt = (hour: number, zone: string) => {
      for (let at = Math.ceil(asked / HOUR) * HOUR; at <= asked + DAY; at += HOUR)
        if (localHour(at, zone) === hour) return at;
      throw new Error(`no ${hour}:00 in ${zone} within a day of asking`);
    };
    const due = [
      { customerId: OWL, at: firstAt(OWL_HOUR, OWL_ZONE), zone: OWL_ZONE, hour: OWL_HOUR },
      { customerId: NEWCOMER, at: firstAt(priorHour, NEWCOMER_ZONE), zone: NEWCOMER_ZONE, hour: priorHour },
    ].sort((a, b) => a.at - b.at);
    // 14:00 in Tokyo the next day: 05:00 UTC.
    expect(due.find((d) => d.customerId === OWL)?.at).toBe(Date.UTC(2026, 11, 3, 5));

    for (const { customerId, at, zone, hour } of due) {
      // Act: a minute before its hour nothing goes; at its hour the email does
      await tickAt(stack, clock, at - 60_000);
      expect(await mailTo(stack, customerId)).toHaveLength(0);
      await tickAt(stack, clock, at + 30_000);

      // Assess
      const sent = (await entriesOf(customerId, ["best-time"])).filter((entry) => entry.outcome === "sent");
      expect(sent).toHaveLength(1);
      const sentAt = sent[0]?.at ?? 0;
      expect(sentAt).toBeGreaterThanOrEqual(at);
      expect(sentAt).toBeLessThan(at + 60_000);
      expect(localHour(sentAt, zone)).toBe(hour);
      const mails = await mailTo(stack, customerId);
      expect(mails.map((mail) => mail.messageId)).toEqual([sent[0]?.messageId]);
    }
  }, 240_000);
});
