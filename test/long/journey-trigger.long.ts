import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import type { LedgerEntry } from "#shared/domain/campaigns/index.js";
import { tempDir } from "../local/helpers.js";
import { mailTo as mailToCustomer, putOnStream, streamMessages, tickAt } from "../local/stream-session.js";
import { TestClock } from "../local/test-clock.js";
import { startTestStack } from "../local/test-stack.js";

/**
 * The triggering event in the email, on the local stack with the shipped campaigns and templates: two orders
 * 52 minutes apart give two post-purchase emails, each listing its own order; a cart emptied before the
 * reminder is due ends the journey (`exited: cart empty`).
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** 10:00 UTC: outside the starters' quiet hours (21:00–08:00 UTC). */
const T0 = Date.UTC(2026, 11, 2, 10);

const clock = new TestClock(T0 - 13 * HOUR);
const temp = tempDir("tailor-trigger-");
let stack: LocalStack;
let kinesis: KinesisClient;
let dynamodb: DynamoDBClient;
let ledger: DynamoSendLedger;
const { track, signUp: signUpWith } = streamMessages("trigger");
const signUp = (customerId: string, at: number) =>
  signUpWith(customerId, at, { first_name: "Ada", locale: "en-US" });
const put = (events: readonly Record<string, unknown>[]) => putOnStream(stack, kinesis, events);
const tick = (at: number) => tickAt(stack, clock, at);
const mailTo = (customerId: string) => mailToCustomer(stack, customerId);

const visible = (html: string | undefined) =>
  (html ?? "")
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&nbsp;/g, " ")
    .replace(/\s+/g, " ");

const BUYER = "trigger-buyer";
const EMPTIER = "trigger-emptier";
const CANCELLER = "trigger-canceller";

beforeAll(async () => {
  stack = await startTestStack({ dataDir: temp.dir, clock });
  kinesis = new KinesisClient({});
  dynamodb = new DynamoDBClient({});
  ledger = new DynamoSendLedger({ client: dynamodb, tableName: LOCAL_NAMES.sendLedgerTable });
  // 21:00 UTC the day before: an order in quiet hours, its thank-you deferred to 08:00; cancelled at 22:00.
  await put(signUp(CANCELLER, T0 - 13 * HOUR));
  clock.at = T0 - 12 * HOUR;
  await put([track(CANCELLER, "Order Completed", T0 - 12 * HOUR, { order_id: "ord-c", total: 30 })]);
  clock.at = T0 - 11 * HOUR;
  await put([track(CANCELLER, "Order Cancelled", T0 - 11 * HOUR, { order_id: "ord-c", total: 30 })]);
  clock.at = T0;
  await put([...signUp(BUYER, T0 - HOUR), ...signUp(EMPTIER, T0 - HOUR)]);
  // Two orders 52 minutes apart, each with its own lines (the simulator's catalog knows the products).
  clock.at = T0;
  await put([
    track(BUYER, "Order Completed", T0, {
      order_id: "ord-a",
      order_number: "#1041",
      total: 104.98,
      subtotal: 99.98,
      shipping: 5,
      currency: "USD",
      products: [{ product_id: "prod-books-005", name: "Paper Garden", price: 49.99, quantity: 2 }],
    }),
    track(EMPTIER, "Product Added", T0, { product_id: "prod-home-017", price: 39.99, quantity: 1 }),
  ]);
  clock.at = T0 + 52 * MINUTE;
  await put([
    track(BUYER, "Order Completed", T0 + 52 * MINUTE, {
      order_id: "ord-b",
      order_number: "#1042",
      total: 23.99,
      currency: "USD",
      products: [{ product_id: "prod-electronics-001", name: "Pocket Charger", price: 23.99, quantity: 1 }],
    }),
    track(EMPTIER, "Product Removed", T0 + 52 * MINUTE, { product_id: "prod-home-017", quantity: 1 }),
  ]);
  await tick(T0 + 4 * HOUR + MINUTE);
}, 180_000);

afterAll(async () => {
  kinesis?.destroy();
  dynamodb?.destroy();
  await stack?.stop();
  temp.remove();
});

describe("the triggering event in the email, on the local stack", () => {
  it("two orders 52 minutes apart give two post-purchase emails, each listing its own order", async () => {
    const thanks = (await mailTo(BUYER)).filter((m) => m.subject.startsWith("Thank you for your order"));
    expect(thanks).toHaveLength(2);
    const texts = thanks.map((m) => visible(m.html));
    const first = texts.find((text) => text.includes("Order #1041"));
    const second = texts.find((text) => text.includes("Order #1042"));
    expect(first).toMatch(/Paper Garden × 2 \$99\.98/);
    expect(first).toMatch(/Subtotal \$99\.98 Shipping \$5\.00 Total \$104\.98/);
    expect(first).not.toContain("Pocket Charger");
    expect(second).toMatch(/Pocket Charger × 1 \$23\.99/);
    expect(second).not.toContain("Paper Garden");
    // Catalog details where known: the product's picture.
    expect(thanks.every((m) => /<img[^>]+src="[^"]+prod-(books|electronics)/.test(m.html ?? ""))).toBe(true);
  });

  it("a post-purchase email deferred by quiet hours is not sent once its order was cancelled", async () => {
    expect((await mailTo(CANCELLER)).filter((m) => m.subject.startsWith("Thank you for your order"))).toEqual(
      [],
    );
    const entries: LedgerEntry[] = await ledger.recent(CANCELLER, T0 - DAY, 100);
    const thanks = entries.filter((e) => e.campaignId === "post-purchase").map((e) => [e.outcome, e.reason]);
    expect(thanks).toContainEqual(["deferred", expect.stringContaining("quiet hours")]);
    expect(thanks).toContainEqual(["skipped", "exited: order cancelled"]);
  });

  it("a cart emptied before the reminder is due ends the journey, with the reason in the ledger", async () => {
    expect((await mailTo(EMPTIER)).filter((m) => /cart/i.test(m.subject))).toEqual([]);
    const entries: LedgerEntry[] = await ledger.recent(EMPTIER, T0 - HOUR, 100);
    expect(entries).toContainEqual(
      expect.objectContaining({
        campaignId: "cart-abandonment",
        outcome: "skipped",
        reason: "exited: cart empty",
      }),
    );
  });
});
