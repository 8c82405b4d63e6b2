import { describe, expect, it } from "vitest";
import {
  type CampaignDefinition,
  decideSend,
  intentsForEvents,
  intentsForSchedule,
  intentsForTransition,
  journeyIntents,
} from "#shared/domain/campaigns/index.js";
import { rawEvents } from "../factories/events.js";
import { CUSTOMER, campaignOf, events, fold, HOUR, reachable, starterLibrary } from "./helpers.js";

const library = starterLibrary();
const get = (id: string): CampaignDefinition => campaignOf(library, id);
const T0 = Date.UTC(2026, 0, 14, 10);

describe("starter campaigns", () => {
  it("load and link against the real templates and segments", () => {
    expect([...library.byId.keys()].sort()).toEqual([
      "back-in-stock",
      "browse-abandonment",
      "cart-abandonment",
      "confirm-subscription",
      "newsletter",
      "post-purchase",
      "price-drop",
      "welcome",
      "win-back",
      "wishlist-reminder",
    ]);
  });

  it("a wishlist add starts the wishlist reminder: email else a text at 24 h, a text at 72 h", () => {
    const batch = events({
      type: "track",
      event: "Product Added to Wishlist",
      userId: CUSTOMER,
      messageId: "m-wish",
      timestamp: new Date(T0).toISOString(),
      properties: { product_id: "prod-home-017" },
    });
    const intents = intentsForEvents(library, undefined, fold(undefined, T0, batch), batch, T0);
    expect(intents.map((i) => [i.campaignId, i.dueAt - T0])).toEqual([
      ["wishlist-reminder", 24 * HOUR],
      ["wishlist-reminder", 72 * HOUR],
    ]);
    const steps = library.byId.get("wishlist-reminder")?.steps ?? [];
    expect(steps.map((step) => [step.channel, step.sms])).toEqual([
      ["email-else-sms", "wishlist-reminder"],
      ["sms", "wishlist-reminder"],
    ]);
  });

  it("a cart add starts cart abandonment at 4 h and 48 h, and only that campaign", () => {
    const batch = events(rawEvents.productAdded({}, { timestamp: T0 }));
    const intents = intentsForEvents(library, undefined, fold(undefined, T0, batch), batch, T0);
    expect(intents.map((i) => [i.campaignId, i.dueAt - T0])).toEqual([
      ["cart-abandonment", 4 * HOUR],
      ["cart-abandonment", 48 * HOUR],
    ]);
  });

  it("every order starts post-purchase; identify with an email starts welcome once", () => {
    const batch = events(
      rawEvents.identify({ email: "ada@example.com" }, { timestamp: T0 }),
      rawEvents.orderCompleted({ order_id: "o-1" }, { timestamp: T0 + 1 }),
    );
    const intents = intentsForEvents(library, undefined, fold(undefined, T0, batch), batch, T0);
    expect(intents.map((i) => i.campaignId).sort()).toEqual(["post-purchase", "welcome"]);
  });

  it("entering lapsed starts win-back; the newsletter sends to its audience", () => {
    const transition = {
      id: "t",
      customerId: CUSTOMER,
      segmentId: "lapsed",
      kind: "entered" as const,
      at: T0,
      version: 1,
    };
    expect(intentsForTransition(library, transition).map((i) => i.campaignId)).toEqual(["win-back"]);
    expect(intentsForSchedule(get("newsletter"), [CUSTOMER], T0)).toHaveLength(1);
  });

  it("post-purchase is marketing: it needs marketing consent", () => {
    const c = get("post-purchase");
    const [intent] = journeyIntents(c, CUSTOMER, "o-1", T0, T0);
    if (intent === undefined) throw new Error("intent expected");
    expect(c.purpose).toBe("marketing");
    expect(decideSend(intent, c, reachable({ c: {} }), [], T0).kind).toBe("skip");
  });
});
