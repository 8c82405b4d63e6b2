import { describe, expect, it } from "vitest";
import {
  type CampaignDefinition,
  checkCampaignDefinition,
  decideSend,
  intentsForEvents,
  intentsForTransition,
  type SendIntent,
} from "#shared/domain/campaigns/index.js";
import type { Profile } from "#shared/domain/profile/index.js";
import { type RawEvent, rawEvents, rawProduct } from "../factories/events.js";
import { CUSTOMER, campaignOf, events, fold, HOUR, MINUTE, starterLibrary } from "./helpers.js";

/**
 * The exit conditions of every starter campaign (templates/campaigns/*.yaml), reviewed one by one: each test
 * starts the starter's journey from the real definition and folds what would end it (or must not).
 */
const library = starterLibrary();
const get = (id: string): CampaignDefinition => campaignOf(library, id);
/** 10:00 UTC: no step falls in the starters' quiet hours. */
const T0 = Date.UTC(2026, 0, 14, 10);
const SIGN_UP: RawEvent[] = [
  rawEvents.identify({ email: "ada@example.com" }, { timestamp: T0 - HOUR }),
  rawEvents.consentUpdated({}, { timestamp: T0 - HOUR }),
];

/** A journey of `campaignId` started by `trigger` after the sign-up, and the profile then. */
function start(campaignId: string, ...trigger: RawEvent[]): { intent: SendIntent; profile: Profile } {
  const signedUp = fold(undefined, T0 - HOUR, events(...SIGN_UP));
  const batch = events(...trigger);
  const profile = fold(signedUp, T0, batch);
  const intent = intentsForEvents(library, signedUp, profile, batch, T0).find(
    (i) => i.campaignId === campaignId,
  );
  if (intent === undefined) throw new Error(`no ${campaignId} journey`);
  return { intent, profile };
}

/** The decision at the intent's due time after `later` events were folded. */
function decideAfter(
  { intent, profile }: { intent: SendIntent; profile: Profile },
  ...later: RawEvent[]
): ReturnType<typeof decideSend> {
  const now = Math.max(intent.dueAt, T0 + MINUTE);
  const after = later.length === 0 ? profile : fold(profile, now, events(...later));
  return decideSend(intent, get(intent.campaignId), after, [], now);
}

const viewed = (productId: string) =>
  rawEvents.productViewed({ product_id: productId, name: `Product ${productId}` }, { timestamp: T0 });

describe("starter exits: browse abandonment, per viewed product", () => {
  it("ends when the viewed product is in the cart by send time", () => {
    const journey = start("browse-abandonment", viewed("lamp"));
    const added = rawEvents.productAdded({ product_id: "lamp" }, { timestamp: T0 + HOUR });
    expect(decideAfter(journey, added)).toEqual({ kind: "skip", reason: "exited: product in cart" });
  });

  it("ends when the viewed product was bought since", () => {
    const journey = start("browse-abandonment", viewed("lamp"));
    const order = rawEvents.orderCompleted(
      { order_id: "o-lamp", products: [rawProduct({ product_id: "lamp" })] },
      { timestamp: T0 + HOUR },
    );
    expect(decideAfter(journey, order)).toEqual({ kind: "skip", reason: "exited: product bought" });
  });

  it("goes on when another product was carted or bought", () => {
    const journey = start("browse-abandonment", viewed("lamp"));
    const other = rawEvents.productAdded({ product_id: "rug" }, { timestamp: T0 + HOUR });
    const otherOrder = rawEvents.orderCompleted(
      { order_id: "o-mug", products: [rawProduct({ product_id: "mug" })] },
      { timestamp: T0 + HOUR },
    );
    expect(decideAfter(journey, other).kind).not.toBe("skip");
    expect(decideAfter(journey, otherOrder).kind).not.toBe("skip");
  });
});

describe("starter exits: post-purchase, per order", () => {
  const order = (id: string, at = T0) =>
    rawEvents.orderCompleted({ order_id: id, total: 50, products: [rawProduct()] }, { timestamp: at });

  it("ends when the order that started it is cancelled or refunded before it goes out", () => {
    const journey = start("post-purchase", order("o-1"));
    const cancelled = rawEvents.custom(
      "Order Cancelled",
      { order_id: "o-1", total: 50 },
      { timestamp: T0 + 1 },
    );
    const refunded = rawEvents.orderRefunded({ order_id: "o-1", total: 10 }, { timestamp: T0 + 1 });
    expect(decideAfter(journey, cancelled)).toEqual({ kind: "skip", reason: "exited: order cancelled" });
    expect(decideAfter(journey, refunded)).toEqual({ kind: "skip", reason: "exited: order refunded" });
  });

  it("goes on when another order is cancelled", () => {
    const journey = start("post-purchase", order("o-1"));
    const other = rawEvents.custom("Order Cancelled", { order_id: "o-0", total: 50 }, { timestamp: T0 + 1 });
    expect(decideAfter(journey, other).kind).toBe("send");
  });
});

describe("starter exits: cart abandonment, welcome, win-back", () => {
  it("cart abandonment ends on an order, and when the cart was emptied", () => {
    const journey = start("cart-abandonment", rawEvents.productAdded({ product_id: "a" }, { timestamp: T0 }));
    const removed = rawEvents.productRemoved({ product_id: "a" }, { timestamp: T0 + HOUR });
    const ordered = rawEvents.orderCompleted({ order_id: "o-2" }, { timestamp: T0 + HOUR });
    expect(decideAfter(journey).kind).toBe("send");
    expect(decideAfter(journey, removed)).toEqual({ kind: "skip", reason: "exited: cart empty" });
    expect(decideAfter(journey, ordered)).toEqual({ kind: "skip", reason: "exited: Order Completed" });
  });

  it("welcome needs no exit of its own: an unsubscribe while it waits suppresses it", () => {
    // The first identify starts it (once per customer): no sign-up before it.
    const batch = events(rawEvents.identify({ email: "ada@example.com" }, { timestamp: T0 }));
    const profile = fold(undefined, T0, batch);
    const intent = intentsForEvents(library, undefined, profile, batch, T0).find(
      (i) => i.campaignId === "welcome",
    );
    if (intent === undefined) throw new Error("welcome expected");
    const journey = { intent, profile };
    expect(decideAfter(journey).kind).toBe("defer");
    const unsubscribed = rawEvents.unsubscribed({}, { timestamp: T0 + 1 });
    expect(decideAfter(journey, unsubscribed)).toEqual({ kind: "skip", reason: "suppressed: unsubscribed" });
  });

  it("win-back ends on an order", () => {
    const [intent] = intentsForTransition(library, {
      id: "t",
      customerId: CUSTOMER,
      segmentId: "lapsed",
      kind: "entered",
      at: T0,
      version: 1,
    });
    if (intent === undefined) throw new Error("win-back expected");
    const profile = fold(undefined, T0, events(...SIGN_UP));
    const member = { ...profile, sg: { lapsed: { e: T0, v: 1 } } };
    const ordered = fold(member, T0 + HOUR, events(rawEvents.orderCompleted({}, { timestamp: T0 + HOUR })));
    expect(decideSend(intent, get("win-back"), ordered, [], T0 + HOUR).kind).toBe("skip");
    expect(decideSend(intent, get("win-back"), ordered, [], T0 + HOUR)).toMatchObject({
      reason: "exited: Order Completed",
    });
  });
});

describe("exitWhenTrigger is checked at build time", () => {
  const check = (raw: Record<string, unknown>) =>
    checkCampaignDefinition({
      id: "c",
      name: "C",
      version: 1,
      purpose: "marketing",
      steps: [{ delay: "1h", template: "t" }],
      ...raw,
    });

  it("refuses an exit the trigger cannot carry, naming the field and the rule", () => {
    const result = check({ trigger: { event: "Product Added" }, exitWhenTrigger: ["order-cancelled"] });
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.issues).toEqual([
      expect.objectContaining({
        path: "exitWhenTrigger[0]",
        rule: "trigger_exit",
        message: expect.stringContaining("Order Completed"),
      }),
    ]);
    const segment = check({
      trigger: { segment: "lapsed", on: "entered" },
      exitWhenTrigger: ["product-bought"],
    });
    expect(segment.ok ? [] : segment.issues.map((i) => i.rule)).toEqual(["trigger_exit"]);
  });

  it("refuses an unknown or repeated exit", () => {
    const unknown = check({ trigger: { event: "Product Viewed" }, exitWhenTrigger: ["product-loved"] });
    expect(unknown.ok ? [] : unknown.issues.map((i) => i.path)).toEqual(["exitWhenTrigger[0]"]);
    const twice = check({
      trigger: { event: "Product Viewed" },
      exitWhenTrigger: ["product-bought", "product-bought"],
    });
    expect(twice.ok ? [] : twice.issues.map((i) => i.rule)).toEqual(["duplicate_exit"]);
  });

  it("accepts the starters' exits", () => {
    expect(get("browse-abandonment").exitWhenTrigger).toEqual(["product-carted", "product-bought"]);
    expect(get("post-purchase").exitWhenTrigger).toEqual(["order-cancelled", "order-refunded"]);
  });
});
