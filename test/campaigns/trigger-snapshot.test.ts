import { describe, expect, it } from "vitest";
import { TRIGGER_LINES_MAX } from "#shared/domain/campaigns/contracts.js";
import { intentsForEvents, sendKey } from "#shared/domain/campaigns/index.js";
import { parseSendIntent } from "#shared/domain/campaigns/send-intent.js";
import {
  fitTrigger,
  TRIGGER_BATCH_BYTES_MAX,
  TRIGGER_BYTES_MAX,
  TRIGGER_TEXT_MAX,
  triggerBytes,
} from "#shared/domain/campaigns/trigger-snapshot.js";
import { rawEvents, rawProduct } from "../factories/events.js";
import { CUSTOMER, campaign, events, fold, HOUR, library, MINUTE } from "./helpers.js";

const T0 = Date.UTC(2026, 11, 5, 10);
const postPurchase = campaign({
  id: "post-purchase",
  trigger: { event: "Order Completed" },
  steps: [{ delay: "0m", template: "cart-abandonment" }],
});
const cartCampaign = campaign({
  steps: [
    { delay: "4h", template: "cart-abandonment" },
    { delay: "48h", template: "cart-abandonment" },
  ],
});
const browse = campaign({
  id: "browse",
  trigger: { event: "Product Viewed" },
  steps: [{ delay: "2h", template: "cart-abandonment" }],
});
const lib = library(postPurchase, cartCampaign, browse);

function ingest(now: number, ...raws: ReturnType<typeof rawEvents.orderCompleted>[]) {
  const batch = events(...raws);
  const after = fold(undefined, now, batch);
  return intentsForEvents(lib, undefined, after, batch, now);
}

/** A 50-line order with realistic names, as a shop would send it. */
function bigOrder(lines: number, nameLength = 40, idLength = 12) {
  return Array.from({ length: lines }, (_, i) =>
    rawProduct({
      product_id: `p${String(i).padStart(idLength - 1, "0")}`,
      sku: undefined,
      name: `Product ${i} ${"x".repeat(nameLength)}`,
      category: "Home & Garden",
      price: 19.99 + i,
      quantity: 1 + (i % 3),
    }),
  );
}

describe("the trigger snapshot of event-started journeys", () => {
  it("keeps the order that started a post-purchase journey: number, totals in major units, lines", () => {
    const intents = ingest(
      T0,
      rawEvents.orderCompleted(
        {
          order_id: "ord-1042",
          order_number: "#1042",
          total: 112.47,
          subtotal: 99.98,
          shipping: 4.99,
          tax: 7.5,
          discount: 0,
          products: [rawProduct({ quantity: 2, price: 49.99 })],
        },
        { timestamp: T0 },
      ),
    );
    const [intent] = intents.filter((i) => i.campaignId === "post-purchase");
    expect(intent?.trigger).toEqual({
      kind: "order",
      at: T0,
      orderId: "ord-1042",
      number: "#1042",
      currency: "USD",
      total: 112.47,
      subtotal: 99.98,
      shipping: 4.99,
      tax: 7.5,
      discount: 0,
      lines: [
        { productId: "sku-shoe-1", quantity: 2, name: "Trail Runner", category: "Shoes", price: 49.99 },
      ],
    });
  });

  it("gives two orders of one batch two journeys, each with its own order", () => {
    const intents = ingest(
      T0 + HOUR,
      rawEvents.orderCompleted(
        { order_id: "A", total: 10, products: [rawProduct({ product_id: "a", price: 10 })] },
        { timestamp: T0 },
      ),
      rawEvents.orderCompleted(
        { order_id: "B", total: 20, products: [rawProduct({ product_id: "b", price: 20 })] },
        { timestamp: T0 + 52 * MINUTE },
      ),
    ).filter((i) => i.campaignId === "post-purchase");
    expect(
      intents.map((i) => [i.occurrence, i.trigger?.kind === "order" ? i.trigger.orderId : undefined]),
    ).toEqual([
      [String(T0), "A"],
      [String(T0 + 52 * MINUTE), "B"],
    ]);
    // The snapshot never enters the send key: a redelivery finds the same ledger entry.
    expect(intents.map((i) => i.key)).toEqual([
      sendKey("post-purchase", CUSTOMER, String(T0), 0),
      sendKey("post-purchase", CUSTOMER, String(T0 + 52 * MINUTE), 0),
    ]);
  });

  it("keeps the cart as it was right after the add, not after later events of the same batch", () => {
    const intents = ingest(
      T0 + HOUR,
      rawEvents.productAdded({ product_id: "a", name: "Mug", price: 8 }, { timestamp: T0 }),
      rawEvents.productAdded({ product_id: "b", name: "Teapot", price: 30 }, { timestamp: T0 + MINUTE }),
      rawEvents.productRemoved({ product_id: "a" }, { timestamp: T0 + 2 * MINUTE }),
    ).filter((i) => i.campaignId === "cart");
    expect(intents).toHaveLength(2);
    // Started by the first add: the cart then held only the mug; both steps carry the same snapshot.
    for (const intent of intents) {
      expect(intent.trigger).toEqual({
        kind: "cart",
        at: T0,
        currency: "USD",
        lines: [{ productId: "a", quantity: 1, name: "Mug", category: "Shoes", price: 8 }],
      });
    }
  });

  it("keeps the viewed product for browse abandonment", () => {
    const [intent] = ingest(
      T0,
      rawEvents.productViewed({ product_id: "v1", name: "Lamp", price: 45 }, { timestamp: T0 }),
    ).filter((i) => i.campaignId === "browse");
    expect(intent?.trigger).toEqual({
      kind: "product",
      at: T0,
      currency: "USD",
      product: { productId: "v1", quantity: 1, name: "Lamp", category: "Shoes", price: 45 },
    });
  });

  it("bounds names and lines, counts the lines left out, and survives the JSON round trip of queue and timers", () => {
    const long = "é".repeat(500);
    const products = [...bigOrder(60)];
    products[0] = rawProduct({ product_id: "first", name: long, category: long });
    const [intent] = ingest(
      T0,
      rawEvents.orderCompleted({ order_id: "big", total: 5000, products }, { timestamp: T0 }),
    ).filter((i) => i.campaignId === "post-purchase");
    const trigger = intent?.trigger;
    if (trigger?.kind !== "order") throw new Error("expected an order trigger");
    expect(trigger.lines.length).toBeLessThanOrEqual(TRIGGER_LINES_MAX);
    expect(trigger.lines.length + (trigger.moreLines ?? 0)).toBe(60);
    expect(trigger.lines[0]?.name).toHaveLength(TRIGGER_TEXT_MAX);
    expect(trigger.lines[0]?.name?.endsWith("…")).toBe(true);
    expect(triggerBytes(trigger)).toBeLessThanOrEqual(TRIGGER_BYTES_MAX);
    const back = parseSendIntent(JSON.stringify(intent));
    expect(back).toEqual({ ok: true, intent });
  });

  it("a 50-line order adds a few KB to a queue message or timer item, far under SQS's 256 KB and DynamoDB's 400 KB", () => {
    const [intent] = ingest(
      T0,
      rawEvents.orderCompleted({ order_id: "o50", total: 2000, products: bigOrder(50) }, { timestamp: T0 }),
    ).filter((i) => i.campaignId === "post-purchase");
    if (intent === undefined) throw new Error("expected an intent");
    const { trigger, ...bare } = intent;
    const added = Buffer.byteLength(JSON.stringify(intent)) - Buffer.byteLength(JSON.stringify(bare));
    expect(trigger?.kind === "order" ? trigger.lines : []).toHaveLength(50);
    // Measured: see the report (about 5.7 KB for 50 lines with 50-character names).
    expect(added).toBeGreaterThan(50 * 60);
    expect(added).toBeLessThanOrEqual(TRIGGER_BYTES_MAX);
    // Ten such intents in one SendMessageBatch stay well under its 256 KB.
    expect(10 * Buffer.byteLength(JSON.stringify(intent))).toBeLessThan(256 * 1024 * 0.5);
  });

  it("keeps the intents of a flood of orders in one batch within the batch budget", () => {
    const orders = Array.from({ length: 40 }, (_, i) =>
      rawEvents.orderCompleted(
        { order_id: `o${i}`, total: 2000, products: bigOrder(50, 100, 64) },
        { timestamp: T0 + i * MINUTE },
      ),
    );
    const intents = ingest(T0 + HOUR, ...orders).filter((i) => i.campaignId === "post-purchase");
    expect(intents).toHaveLength(40);
    const total = intents.reduce(
      (sum, i) => sum + (i.trigger === undefined ? 0 : triggerBytes(i.trigger)),
      0,
    );
    expect(total).toBeLessThanOrEqual(TRIGGER_BATCH_BYTES_MAX + 40 * 400);
    // The last orders still say which order they are about, without their lines.
    const last = intents.at(-1)?.trigger;
    expect(last?.kind === "order" ? [last.orderId, last.lines.length, last.moreLines] : []).toEqual([
      "o39",
      0,
      50,
    ]);
  });

  it("fitTrigger keeps as many lines as fit and leaves small snapshots alone", () => {
    const trigger = {
      kind: "cart" as const,
      at: T0,
      currency: "EUR",
      lines: Array.from({ length: 10 }, (_, i) => ({
        productId: `p${i}`,
        quantity: 1,
        name: "n".repeat(80),
      })),
    };
    expect(fitTrigger(trigger, TRIGGER_BYTES_MAX)).toBe(trigger);
    const fitted = fitTrigger(trigger, 500);
    expect(triggerBytes(fitted)).toBeLessThanOrEqual(500);
    expect(fitted.kind === "cart" ? fitted.lines.length + (fitted.moreLines ?? 0) : 0).toBe(10);
    expect(fitted.kind === "cart" ? fitted.lines.length : 0).toBeGreaterThan(0);
  });

  it("rejects a trigger that breaks its bounds when read back from a queue or timer", () => {
    const intent = {
      key: "k",
      campaignId: "c",
      customerId: "u",
      occurrence: "1",
      step: 0,
      template: "t",
      dueAt: 1,
      startedAt: 1,
      trigger: { kind: "order", at: 1, orderId: "o", currency: "usd", lines: [] },
    };
    const parsed = parseSendIntent(JSON.stringify(intent));
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? "" : parsed.reason).toContain("trigger.currency");
  });
});
