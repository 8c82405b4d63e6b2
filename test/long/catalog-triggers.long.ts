import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { assign, type LedgerEntry } from "#shared/domain/campaigns/index.js";
import type { CatalogChange } from "#shared/domain/catalog/index.js";
import { simulatorCatalogProducts } from "#shared/sim/index.js";
import { readSentMail, type SentMail } from "#shared/sim/sent-mail.js";
import { tempDir } from "../local/helpers.js";
import { TestClock } from "../local/test-clock.js";
import { startTestStack } from "../local/test-stack.js";

/**
 * Back in stock end to end on the local stack, with the starter campaigns: customers view products (ingest
 * records the watch index), the product comes back in stock (a change on the catalog changes queue, delivered
 * twice), the catalog-changes function starts the journeys, dispatch sends through the SES emulator. The
 * viewer gets one email, once; a buyer gets none; a product out of stock again at send time exits the journey.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** 13:00 UTC: outside the starter campaigns' quiet hours. */
const T0 = Date.UTC(2026, 10, 23, 13);

const products = simulatorCatalogProducts(42);
const inStock = products.find((p) => p.inStock);
const soldOut = products.find((p) => !p.inStock);

/** Customer ids the back-in-stock campaign does not hold out (its holdout is a hash of campaign and id). */
function sendable(prefix: string): string {
  for (let i = 0; ; i++) {
    const id = `${prefix}-${i}`;
    if (assign("back-in-stock", id, 0.1, [{ id: "a", weight: 1 }]).kind === "variant") return id;
  }
}
const VIEWER = sendable("e2e-viewer");
const BUYER = sendable("e2e-buyer");
const WATCHER = sendable("e2e-watcher");

const clock = new TestClock(T0);
const temp = tempDir("tailor-e2e-catalog-");
let stack: LocalStack;
let kinesis: KinesisClient;
let sqs: SQSClient;
let dynamodb: DynamoDBClient;
let ledger: DynamoSendLedger;
let sequence = 0;

function track(customerId: string, event: string, at: number, properties: Record<string, unknown> = {}) {
  sequence++;
  return {
    type: "track",
    event,
    messageId: `e2e-catalog-${sequence}`,
    userId: customerId,
    timestamp: new Date(at).toISOString(),
    properties,
  };
}

function signUp(customerId: string, at: number) {
  sequence++;
  return [
    {
      type: "identify",
      messageId: `e2e-catalog-${sequence}`,
      userId: customerId,
      timestamp: new Date(at).toISOString(),
      traits: { email: `${customerId}@example.com`, first_name: "Ada" },
    },
    track(customerId, "Consent Updated", at, { purpose: "marketing_email", granted: true }),
  ];
}

async function put(events: readonly Record<string, unknown>[]): Promise<void> {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: LOCAL_NAMES.eventStream,
      Records: events.map((event) => ({
        PartitionKey: String(event.userId),
        Data: new TextEncoder().encode(JSON.stringify(event)),
      })),
    }),
  );
  expect(out.FailedRecordCount ?? 0).toBe(0);
  await stack.waitUntilIdle({ timeoutMs: 90_000 });
}

async function publish(change: CatalogChange): Promise<void> {
  const QueueUrl = stack.plan.queues.find((q) => q.name === LOCAL_NAMES.catalogChangesQueue)?.url;
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify(change) }));
}

/** The back-in-stock emails sent to the customer (sign-ups get a welcome email too). */
async function backInStockMailTo(customerId: string): Promise<SentMail[]> {
  const mail = await readSentMail(stack.endpoints.sesv2);
  return mail.filter(
    (m) => m.to.some((to) => to.includes(`${customerId}@example.com`)) && m.subject.includes("back in stock"),
  );
}

const ledgerOf = (customerId: string): Promise<LedgerEntry[]> =>
  ledger.recent(customerId, T0 - 24 * HOUR, 100);

beforeAll(async () => {
  if (inStock === undefined || soldOut === undefined) throw new Error("the demo shop lacks a product");
  stack = await startTestStack({ dataDir: temp.dir, clock });
  kinesis = new KinesisClient({});
  sqs = new SQSClient({});
  dynamodb = new DynamoDBClient({});
  ledger = new DynamoSendLedger({ client: dynamodb, tableName: LOCAL_NAMES.sendLedgerTable });
  // 11:00 — three customers sign up; the viewer and the buyer view the product, the watcher carts the other.
  const before = T0 - 2 * HOUR;
  await put([
    ...signUp(VIEWER, before),
    ...signUp(BUYER, before),
    ...signUp(WATCHER, before),
    track(VIEWER, "Product Viewed", before + MINUTE, { product_id: inStock.productId, price: inStock.price }),
    track(BUYER, "Product Viewed", before + MINUTE, { product_id: inStock.productId, price: inStock.price }),
    track(WATCHER, "Product Added", before + MINUTE, { product_id: soldOut.productId, price: soldOut.price }),
  ]);
  // 12:00 — the buyer buys it elsewhere in the shop's checkout.
  clock.at = T0 - HOUR;
  await put([
    track(BUYER, "Order Completed", T0 - HOUR, {
      order_id: "o-buyer",
      total: inStock.price,
      currency: "USD",
      products: [{ product_id: inStock.productId, price: inStock.price, quantity: 1 }],
    }),
  ]);
  // 13:00 — both products are reported back in stock; the catalog still says the second is out of stock when
  // its email is due.
  clock.at = T0 + MINUTE;
  const restocked: CatalogChange = { kind: "back-in-stock", productId: inStock.productId, at: T0 };
  await publish(restocked);
  await publish({ kind: "back-in-stock", productId: soldOut.productId, at: T0 });
  await stack.waitUntilIdle({ timeoutMs: 120_000 });
  // Delivered again a minute later (at least once): the same journey, the same send key.
  clock.at = T0 + 2 * MINUTE;
  await publish(restocked);
  await stack.waitUntilIdle({ timeoutMs: 120_000 });
}, 240_000);

afterAll(async () => {
  for (const client of [kinesis, sqs, dynamodb]) client?.destroy();
  await stack?.stop();
  temp.remove();
});

describe("back in stock on the local stack", () => {
  it("sends the viewer one back-in-stock email, once, however often the change is delivered", async () => {
    const mail = await backInStockMailTo(VIEWER);
    expect(mail).toHaveLength(1);
    expect(mail[0]?.subject).toBe(`${inStock?.name} is back in stock`);
    // The product's card: its picture (served by the local stack) and its name.
    expect(mail[0]?.html).toMatch(new RegExp(`<img[^>]+alt="${inStock?.name}"`));
    const entries = (await ledgerOf(VIEWER)).filter((e) => e.campaignId === "back-in-stock");
    expect(entries.map((e) => [e.outcome, e.key])).toEqual([
      ["sent", `back-in-stock#${VIEWER}#back-in-stock:${inStock?.productId}@${T0}#0`],
    ]);
  });

  it("sends nothing to a customer who bought the product since viewing it", async () => {
    expect(await backInStockMailTo(BUYER)).toEqual([]);
    expect((await ledgerOf(BUYER)).filter((e) => e.campaignId === "back-in-stock")).toEqual([]);
  });

  it("skips with the reason when the product is out of stock again when the email is due", async () => {
    expect(await backInStockMailTo(WATCHER)).toEqual([]);
    const entries = (await ledgerOf(WATCHER)).filter((e) => e.campaignId === "back-in-stock");
    expect(entries.map((e) => [e.outcome, e.reason])).toEqual([["skipped", "exited: out of stock again"]]);
  });
});
