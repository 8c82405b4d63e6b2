import { describe, expect, it } from "vitest";
import {
  decodeEvent,
  EventValidationError,
  JSON_DEPTH_MAX,
  type ParseResult,
  parseEvent,
  RECORD_BYTES_MAX,
  type TailorEvent,
} from "#shared/domain/events/index.js";
import { NOW, parsed, rawEvents, rawIdentify, rawProduct, rawTrack, toBytes } from "../factories/events.js";

function failure(result: ParseResult): EventValidationError {
  if (result.ok) throw new Error(`expected a validation error, got ${JSON.stringify(result.event)}`);
  return result.error;
}

function isKind<K extends TailorEvent["kind"]>(
  event: TailorEvent,
  kind: K,
): event is TailorEvent & { kind: K } {
  return event.kind === kind;
}

function ofKind<K extends TailorEvent["kind"]>(event: TailorEvent, kind: K): TailorEvent & { kind: K } {
  if (!isKind(event, kind)) throw new Error(`expected ${kind}, got ${event.kind}`);
  return event;
}

describe("e-commerce events", () => {
  it.each([
    ["Product Viewed", "product_viewed"],
    ["Product Added", "product_added"],
    ["Product Removed", "product_removed"],
  ] as const)("%s carries a typed product with money in minor units", (name, kind) => {
    // Prepare
    const raw = rawTrack(name, { ...rawProduct({ price: 89.99, quantity: 2 }), currency: "EUR" });
    // Act
    const event = ofKind(parsed(raw), kind);
    // Assess
    expect(event.name).toBe(name);
    expect(event.currency).toBe("EUR");
    expect(event.product).toEqual({
      productId: "sku-shoe-1",
      sku: "SHOE-1-42",
      category: "Shoes",
      name: "Trail Runner",
      brand: "Acme",
      price: 8999,
      quantity: 2,
    });
  });

  it("Cart Viewed lists the cart's products", () => {
    const event = ofKind(parsed(rawEvents.cartViewed({ currency: "GBP" })), "cart_viewed");
    expect(event.cart.cartId).toBe("cart-1");
    expect(event.cart.currency).toBe("GBP");
    expect(event.cart.products?.map((p) => [p.productId, p.price])).toEqual([["sku-shoe-1", 8999]]);
  });

  it("Checkout Started takes value, or revenue, or the sum of the products", () => {
    const withValue = ofKind(
      parsed(rawEvents.checkoutStarted({ value: 10, revenue: 20 })),
      "checkout_started",
    );
    const withRevenue = ofKind(
      parsed(rawEvents.checkoutStarted({ value: undefined, revenue: 20 })),
      "checkout_started",
    );
    const fromProducts = ofKind(
      parsed(
        rawEvents.checkoutStarted({
          value: undefined,
          revenue: undefined,
          products: [rawProduct({ price: 5, quantity: 3 }), rawProduct({ product_id: "b", price: 1.5 })],
        }),
      ),
      "checkout_started",
    );
    expect(withValue.checkout.value).toBe(1000);
    expect(withRevenue.checkout.value).toBe(2000);
    expect(fromProducts.checkout.value).toBe(1650);
    expect(fromProducts.checkout.orderId).toBe("order-1");
  });

  it("Order Completed carries total, revenue, discount and products in minor units", () => {
    const event = ofKind(
      parsed(rawEvents.orderCompleted({ total: 94.99, revenue: 89.99, discount: 5, currency: "usd" })),
      "order_completed",
    );
    expect(event.order).toMatchObject({
      orderId: "order-1",
      total: 9499,
      revenue: 8999,
      discount: 500,
      currency: "USD",
    });
    expect(event.order.products).toHaveLength(1);
  });

  it("Order Completed without total falls back to revenue", () => {
    const event = ofKind(
      parsed(rawEvents.orderCompleted({ total: undefined, revenue: 12 })),
      "order_completed",
    );
    expect(event.order.total).toBe(1200);
  });

  it("Order Refunded carries the amount refunded", () => {
    const event = ofKind(parsed(rawEvents.orderRefunded({ total: 30, currency: "JPY" })), "order_refunded");
    expect(event.refund).toMatchObject({ orderId: "order-1", total: 30, currency: "JPY" });
  });

  it("Order Completed requires order_id", () => {
    const error = failure(parseEvent(rawEvents.orderCompleted({ order_id: undefined }), NOW));
    expect(error.issues).toEqual([
      expect.objectContaining({ path: "properties.order_id", rule: "required" }),
    ]);
  });
});

describe("Tailor's email and consent events", () => {
  it("email events reference the email by its own message id", () => {
    const click = ofKind(parsed(rawEvents.emailClicked({ message_id: "ses-9" })), "email_clicked");
    expect(click.email).toEqual({
      messageId: "ses-9",
      campaignId: "welcome",
      variant: "a",
      url: "https://shop.example/p/1",
    });
    for (const make of [rawEvents.emailDelivered, rawEvents.emailOpened, rawEvents.emailComplained]) {
      expect(parsed(make()).kind).toMatch(/^email_/);
    }
  });

  it("Email Bounced requires a Permanent or Transient bounce type", () => {
    const bounce = ofKind(parsed(rawEvents.emailBounced({ bounce_type: "Transient" })), "email_bounced");
    expect(bounce.bounceType).toBe("Transient");
    const error = failure(parseEvent(rawEvents.emailBounced({ bounce_type: "Soft" }), NOW));
    expect(error.message).toBe('properties.bounce_type: expected "Permanent" or "Transient" (got "Soft")');
  });

  it("Unsubscribed defaults to marketing email; Consent Updated needs purpose and granted", () => {
    const unsubscribe = ofKind(parsed(rawEvents.unsubscribed({ purpose: undefined })), "unsubscribed");
    expect(unsubscribe.unsubscribe).toMatchObject({ purpose: "marketing_email", list: "newsletter" });
    const consent = ofKind(
      parsed(rawEvents.consentUpdated({ purpose: "profiling", granted: false })),
      "consent_updated",
    );
    expect(consent.consent).toEqual({ purpose: "profiling", granted: false, source: "signup_form" });
    const error = failure(parseEvent(rawEvents.consentUpdated({ purpose: "push", granted: "yes" }), NOW));
    expect(error.issues.map((i) => [i.path, i.rule])).toEqual([
      ["properties.purpose", "one_of"],
      ["properties.granted", "type"],
    ]);
  });
});

describe("page, identify and custom events", () => {
  it("a page call is a page view named by the envelope", () => {
    const page = ofKind(parsed(rawEvents.page()), "page");
    expect(page.name).toBe("Page Viewed");
    expect(page.page).toMatchObject({ name: "Home", url: "https://shop.example/", path: "/", title: "Shop" });
  });

  it("identify normalises traits and maps Segment's camelCase and address traits", () => {
    const event = ofKind(
      parsed(
        rawIdentify({
          email: "  Ada.Lovelace@Example.COM ",
          firstName: "Ada",
          lastName: "Lovelace",
          birthday: "1815-12-10T00:00:00.000Z",
          address: { city: "London", country: "GB", state: "Greater London" },
          locale: "en_gb",
          timezone: "Europe/London",
          plan: "gold",
          nested: { ignored: true },
        }),
      ),
      "identify",
    );
    expect(event.traits).toMatchObject({
      email: "ada.lovelace@example.com",
      first_name: "Ada",
      last_name: "Lovelace",
      birthday: "1815-12-10",
      city: "London",
      country: "GB",
      region: "Greater London",
      locale: "en-GB",
      timezone: "Europe/London",
      custom: { plan: "gold" },
    });
  });

  it("an invalid email trait is an error naming traits.email", () => {
    const error = failure(parseEvent(rawIdentify({ email: "not-an-address" }), NOW));
    expect(error.message).toBe('traits.email: expected an email address (got "not-an-address")');
  });

  it("context keeps only timezone and locale; a bad device time zone is dropped, not rejected", () => {
    const good = parsed(
      rawEvents.page({}, { context: { timezone: "America/New_York", locale: "en-US", ip: "203.0.113.7" } }),
    );
    expect(good.context).toEqual({ timezone: "America/New_York", locale: "en-US" });
    const bad = parsed(rawEvents.page({}, { context: { timezone: "Mars/Olympus", ip: "x" } }));
    expect(bad.context).toBeUndefined();
  });

  it("context.traits travel with any event", () => {
    const event = parsed(rawEvents.productViewed({}, { context: { traits: { email: "X@Y.io" } } }));
    expect(event.traits?.email).toBe("x@y.io");
  });

  it("an unknown track event is kept as custom behaviour with its scalar properties", () => {
    const event = ofKind(
      parsed(
        rawTrack("Wishlist Shared", { list_id: "wl-1", items: 3, public: true, deep: { a: 1 }, tags: ["x"] }),
      ),
      "custom",
    );
    expect(event.name).toBe("Wishlist Shared");
    expect(event.properties).toEqual({ list_id: "wl-1", items: 3, public: true });
  });

  it("a numeric event name is accepted as text", () => {
    expect(parsed({ ...rawTrack("x", {}), event: 404 }).name).toBe("404");
  });

  it("known names match whatever the case and separators", () => {
    expect(parsed(rawTrack("product_viewed", rawProduct())).kind).toBe("product_viewed");
    expect(parsed(rawTrack("ORDER COMPLETED", { order_id: "o" })).name).toBe("Order Completed");
  });
});

describe("normalisation", () => {
  it("timestamps: ISO-8601 with offset → epoch ms; epoch ms kept", () => {
    expect(parsed(rawEvents.page({}, { timestamp: "2025-06-15T14:00:00+02:00" })).timestamp).toBe(NOW);
    expect(parsed(rawEvents.page({}, { timestamp: "2025-06-15T14:00:00+0200" })).timestamp).toBe(NOW);
    expect(parsed(rawEvents.page({}, { timestamp: "2025-06-15T12:00:00.123456Z" })).timestamp).toBe(
      NOW + 123,
    );
    expect(parsed(rawEvents.page({}, { timestamp: NOW - 5 })).timestamp).toBe(NOW - 5);
  });

  it.each([
    ["USD", 19.99, 1999],
    ["USD", 1.005, 101],
    ["USD", "19.99", 1999],
    ["JPY", 1500, 1500],
    ["JPY", 1500.4, 1500],
    ["KWD", 1.234, 1234],
    ["eur", 0.1, 10],
  ])("%s %s → %s minor units", (currency, price, minor) => {
    const event = ofKind(parsed(rawEvents.productViewed({ price, currency })), "product_viewed");
    expect(event.product.price).toBe(minor);
    expect(event.currency).toBe(currency.toUpperCase());
  });

  it("currency defaults to USD and quantity to 1", () => {
    const event = ofKind(
      parsed(rawTrack("Product Added", { product_id: "p", price: 2, quantity: undefined })),
      "product_added",
    );
    expect(event.currency).toBe("USD");
    expect(event.product.quantity).toBe(1);
    expect(event.product.price).toBe(200);
  });

  it("ids and names are trimmed; numeric ids become text; sku stands in for a missing product_id", () => {
    const event = ofKind(
      parsed(
        rawTrack(
          "Product Viewed",
          { product_id: undefined, sku: "  SKU-9 ", name: " Hat " },
          { userId: "  u-7 " },
        ),
      ),
      "product_viewed",
    );
    expect(event.customerId).toBe("u-7");
    expect(event.product.productId).toBe("SKU-9");
    expect(event.product.name).toBe("Hat");
    const numeric = ofKind(parsed(rawEvents.productViewed({ product_id: 12345 })), "product_viewed");
    expect(numeric.product.productId).toBe("12345");
  });

  it("customerId is userId, else anonymousId", () => {
    expect(parsed(rawEvents.page({}, { anonymousId: "anon-1" })).customerId).toBe("anon-1");
    expect(parsed(rawEvents.page({}, { userId: "u", anonymousId: "anon-1" })).customerId).toBe("u");
    const nullUser = parseEvent({ ...rawEvents.page({}, { anonymousId: "anon-2" }), userId: null }, NOW);
    expect(nullUser.ok && nullUser.event.customerId).toBe("anon-2");
  });
});

describe("validation errors", () => {
  it("name every field path and the rule broken", () => {
    // Prepare
    const raw = rawEvents.orderCompleted({
      products: [
        rawProduct({ price: "abc" }),
        rawProduct({ product_id: undefined, sku: undefined, quantity: 0 }),
      ],
    });
    // Act
    const error = failure(parseEvent(raw, NOW));
    // Assess
    expect(error).toBeInstanceOf(EventValidationError);
    expect(error.name).toBe("EventValidationError");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('properties.products[0].price: expected a number ≥ 0 (got "abc")');
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: "properties.products[0].price", rule: "type", message: 'expected a number ≥ 0 (got "abc")' },
        expect.objectContaining({ path: "properties.products[1].quantity", rule: "too_small" }),
        expect.objectContaining({ path: "properties.products[1].product_id", rule: "required" }),
      ]),
    );
  });

  it("report envelope and property problems together", () => {
    const raw = {
      type: "track",
      event: "Product Added",
      messageId: "",
      timestamp: "yesterday",
      properties: { price: -1 },
    };
    const error = failure(parseEvent(raw, NOW));
    expect(error.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining([
        "messageId",
        "timestamp",
        "userId",
        "properties.price",
        "properties.product_id",
      ]),
    );
    for (const issue of error.issues) expect(error.message).toContain(`${issue.path}: ${issue.message}`);
  });

  it("an event with neither userId nor anonymousId is refused", () => {
    const raw = { ...rawEvents.page(), userId: undefined };
    expect(failure(parseEvent(raw, NOW)).message).toBe("userId: required: expected userId or anonymousId");
  });

  it("messageId and timestamp are required; track needs an event name", () => {
    const error = failure(parseEvent({ type: "track", userId: "u" }, NOW));
    expect(error.issues.map((i) => [i.path, i.rule])).toEqual(
      expect.arrayContaining([
        ["messageId", "required"],
        ["timestamp", "required"],
        ["event", "required"],
      ]),
    );
  });

  it.each([
    ["not a date", "format"],
    ["2025-02-30T00:00:00Z", "format"],
    ["2025-06-15T12:00:00", "format"],
    ["1999-12-31T23:59:59Z", "range"],
    [8.64e15 + 1, "range"],
  ])("timestamp %s is refused (%s)", (timestamp, rule) => {
    const error = failure(parseEvent(rawEvents.page({}, { timestamp }), NOW));
    expect(error.issues).toEqual([expect.objectContaining({ path: "timestamp", rule })]);
  });

  it("a timestamp up to 5 minutes ahead of now is kept, a later one is clamped to now; epoch seconds get a hint", () => {
    const skewed = parsed(rawEvents.page({}, { timestamp: NOW + 300_000 }));
    expect(skewed.timestamp).toBe(NOW + 300_000);
    expect(skewed.clockSkewMs).toBeUndefined();
    const clamped = parsed(rawEvents.page({}, { timestamp: NOW + 86_400_000 }));
    expect(clamped.timestamp).toBe(NOW);
    expect(clamped.clockSkewMs).toBe(86_400_000);
    expect(failure(parseEvent(rawEvents.page({}, { timestamp: NOW / 1000 }), NOW)).message).toContain(
      "epoch seconds? send milliseconds",
    );
  });

  it("over-long ids and names are errors, not truncated", () => {
    expect(parsed(rawEvents.page({}, { messageId: "m".repeat(256) })).messageId).toHaveLength(256);
    const error = failure(parseEvent(rawEvents.page({}, { messageId: "m".repeat(257) }), NOW));
    expect(error.message).toBe("messageId: expected an id of at most 256 characters (got 257 characters)");
    const longName = failure(parseEvent(rawEvents.productViewed({ name: "n".repeat(513) }), NOW));
    expect(longName.issues).toEqual([expect.objectContaining({ path: "properties.name", rule: "too_big" })]);
  });

  it("quantities are integers ≥ 1 and currencies are ISO 4217", () => {
    const error = failure(parseEvent(rawEvents.productAdded({ quantity: 1.5, currency: "DOGE" }), NOW));
    expect(error.issues.map((i) => i.path)).toEqual(["properties.quantity", "properties.currency"]);
    expect(error.message).toContain("properties.quantity: expected an integer ≥ 1 (got 1.5)");
    expect(error.message).toContain(
      'properties.currency: expected an ISO-4217 currency code such as USD (got "DOGE")',
    );
  });
});

describe("hostile input", () => {
  it("drops __proto__, constructor and prototype keys instead of assigning them", () => {
    // Prepare
    const json =
      '{"type":"track","event":"Wishlist Shared","messageId":"m","userId":"u","timestamp":1750000000000,' +
      '"properties":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":1,"ok":1},' +
      '"context":{"traits":{"__proto__":{"polluted":true},"email":"a@b.io"}}}';
    // Act
    const event = ofKind(parsed(JSON.parse(json)), "custom");
    // Assess
    expect(event.properties).toEqual({ ok: 1 });
    expect(Object.getPrototypeOf(event.properties)).toBe(Object.prototype);
    expect(event.traits?.custom).toBeUndefined();
    expect(Reflect.get({}, "polluted")).toBeUndefined();
  });
});

describe("decodeEvent", () => {
  it("decodes UTF-8 JSON bytes into an event", () => {
    const result = decodeEvent(toBytes(rawEvents.identify({ first_name: "Zoë" })), NOW);
    expect(result.ok && result.event.kind === "identify" && result.event.traits.first_name).toBe("Zoë");
  });

  it("refuses invalid UTF-8", () => {
    const bytes = new Uint8Array([...toBytes(rawEvents.page()).slice(0, -1), 0xc3, 0x28, 0x7d]);
    const error = failure(decodeEvent(bytes, NOW));
    expect(error.issues).toEqual([expect.objectContaining({ rule: "utf8" })]);
    expect(error.message).toContain("not valid UTF-8");
  });

  it("refuses text that is not JSON, saying so", () => {
    const error = failure(decodeEvent(new TextEncoder().encode('{"type": "track",'), NOW));
    expect(error.message).toMatch(/^not JSON: /);
    expect(error.issues[0]?.rule).toBe("json");
  });

  it("refuses JSON that is not an object", () => {
    expect(failure(decodeEvent(toBytes([1, 2]), NOW)).message).toBe("expected a JSON object (got an array)");
  });

  it(`refuses JSON nested deeper than ${JSON_DEPTH_MAX} levels, and accepts exactly ${JSON_DEPTH_MAX}`, () => {
    const nest = (levels: number): unknown => {
      // `levels` nested objects; the event and its properties add two more
      let value: unknown = 1;
      for (let i = 0; i < levels; i++) value = { a: value };
      return value;
    };
    const atLimit = rawEvents.custom("Deep", { deep: nest(JSON_DEPTH_MAX - 2) });
    expect(decodeEvent(toBytes(atLimit), NOW).ok).toBe(true);
    const tooDeep = rawEvents.custom("Deep", { deep: nest(JSON_DEPTH_MAX - 1) });
    const error = failure(decodeEvent(toBytes(tooDeep), NOW));
    expect(error.message).toBe(`JSON nested deeper than ${JSON_DEPTH_MAX} levels`);
    expect(failure(parseEvent(tooDeep, NOW)).issues[0]?.rule).toBe("depth");
    const brackets = failure(decodeEvent(new TextEncoder().encode(`${"[".repeat(100_000)}`), NOW));
    expect(brackets.issues[0]?.rule).toBe("depth");
  });

  it("ignores brackets inside strings when measuring depth", () => {
    const raw = rawEvents.custom("Text", { note: `${"{[".repeat(50)} \\" ${"]}".repeat(50)}` });
    expect(decodeEvent(toBytes(raw), NOW).ok).toBe(true);
  });

  it("refuses records over 1 MiB before decoding them", () => {
    const error = failure(decodeEvent(new Uint8Array(RECORD_BYTES_MAX + 1), NOW));
    expect(error.issues).toEqual([expect.objectContaining({ rule: "size" })]);
    expect(error.message).toContain(`${RECORD_BYTES_MAX + 1} bytes`);
  });
});
