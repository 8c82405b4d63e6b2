import { randomUUID } from "node:crypto";
import { parseEvent, type TailorEvent } from "#shared/domain/events/index.js";

/** A fixed "now" for tests: 2025-06-15T12:00:00Z. */
export const NOW = Date.UTC(2025, 5, 15, 12);

/** A raw Segment-spec event, as an app would send it. */
export type RawEvent = Record<string, unknown>;

/** Envelope fields a test may set. */
export interface EnvelopeOptions {
  readonly messageId?: string;
  readonly userId?: string;
  readonly anonymousId?: string;
  /** ISO-8601 text or epoch ms; defaults to {@link NOW} as ISO text. */
  readonly timestamp?: string | number;
  readonly context?: Record<string, unknown>;
}

function envelope(type: "identify" | "track" | "page", options: EnvelopeOptions): RawEvent {
  const ids =
    options.userId === undefined && options.anonymousId === undefined
      ? { userId: "user-1" }
      : { userId: options.userId, anonymousId: options.anonymousId };
  return {
    type,
    messageId: options.messageId ?? randomUUID(),
    ...ids,
    timestamp: options.timestamp ?? new Date(NOW).toISOString(),
    ...(options.context === undefined ? {} : { context: options.context }),
  };
}

/** An `identify` call. */
export function rawIdentify(traits: Record<string, unknown>, options: EnvelopeOptions = {}): RawEvent {
  return { ...envelope("identify", options), traits };
}

/** A `track` call. */
export function rawTrack(
  event: string,
  properties: Record<string, unknown>,
  options: EnvelopeOptions = {},
): RawEvent {
  return { ...envelope("track", options), event, properties };
}

/** A `page` call. */
export function rawPage(
  name: string,
  properties: Record<string, unknown>,
  options: EnvelopeOptions = {},
): RawEvent {
  return { ...envelope("page", options), name, properties };
}

/** A product as apps send it in e-commerce v2 events. */
export function rawProduct(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    product_id: "sku-shoe-1",
    sku: "SHOE-1-42",
    category: "Shoes",
    name: "Trail Runner",
    brand: "Acme",
    price: 89.99,
    quantity: 1,
    ...overrides,
  };
}

/** Valid raw events of every kind Tailor understands; `overrides` are merged into `properties`. */
export const rawEvents = {
  productViewed: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack("Product Viewed", { ...rawProduct(), currency: "USD", ...overrides }, options),
  productAdded: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack("Product Added", { ...rawProduct(), currency: "USD", ...overrides }, options),
  productRemoved: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack("Product Removed", { ...rawProduct(), currency: "USD", ...overrides }, options),
  cartViewed: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack("Cart Viewed", { cart_id: "cart-1", products: [rawProduct()], ...overrides }, options),
  checkoutStarted: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack(
      "Checkout Started",
      {
        order_id: "order-1",
        value: 89.99,
        revenue: 89.99,
        currency: "USD",
        products: [rawProduct()],
        ...overrides,
      },
      options,
    ),
  orderCompleted: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack(
      "Order Completed",
      {
        order_id: "order-1",
        total: 94.99,
        revenue: 89.99,
        discount: 0,
        currency: "USD",
        products: [rawProduct()],
        ...overrides,
      },
      options,
    ),
  orderRefunded: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack("Order Refunded", { order_id: "order-1", total: 94.99, currency: "USD", ...overrides }, options),
  emailDelivered: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack(
      "Email Delivered",
      { message_id: "ses-1", campaign_id: "welcome", variant: "a", ...overrides },
      options,
    ),
  emailOpened: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack(
      "Email Opened",
      { message_id: "ses-1", campaign_id: "welcome", variant: "a", ...overrides },
      options,
    ),
  emailClicked: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack(
      "Email Clicked",
      {
        message_id: "ses-1",
        campaign_id: "welcome",
        variant: "a",
        url: "https://shop.example/p/1",
        ...overrides,
      },
      options,
    ),
  emailBounced: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack("Email Bounced", { message_id: "ses-1", bounce_type: "Permanent", ...overrides }, options),
  emailComplained: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack("Email Complained", { message_id: "ses-1", campaign_id: "welcome", ...overrides }, options),
  unsubscribed: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack("Unsubscribed", { purpose: "marketing_email", list: "newsletter", ...overrides }, options),
  consentUpdated: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack(
      "Consent Updated",
      { purpose: "marketing_email", granted: true, source: "signup_form", ...overrides },
      options,
    ),
  custom: (name = "Wishlist Shared", overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawTrack(name, { list_id: "wl-1", items: 3, ...overrides }, options),
  page: (overrides: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawPage("Home", { url: "https://shop.example/", path: "/", title: "Shop", ...overrides }, options),
  identify: (traits: Record<string, unknown> = {}, options?: EnvelopeOptions) =>
    rawIdentify({ email: "Ada@Example.com", first_name: "Ada", last_name: "Lovelace", ...traits }, options),
} as const;

/** A raw event as the bytes of a stream record. */
export function toBytes(raw: unknown): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(raw));
}

/** Parses a raw event that the test knows is valid; throws with the validation message otherwise. */
export function parsed(raw: RawEvent, now = NOW): TailorEvent {
  const result = parseEvent(raw, now);
  if (!result.ok) throw result.error;
  return result.event;
}
