import type { Product } from "./catalog.js";
import type { SimRecord } from "./records.js";

/** Who an event is about, and the `context` the app attaches (if any). */
export interface Actor {
  /** The `userId` when the event carries one, else the `anonymousId` (as Segment's Kinesis destination keys). */
  readonly partitionKey: string;
  /**
   * `anonymousId` alone before sign-up or login; `userId` alone from server-side sources; both on a browser
   * after identify (analytics.js keeps sending the device's `anonymousId` with the `userId`).
   */
  readonly ids:
    | { readonly userId: string }
    | { readonly anonymousId: string }
    | { readonly userId: string; readonly anonymousId: string };
  readonly context: Readonly<Record<string, unknown>> | undefined;
}

/** A product and how many of it, as carried in carts and orders. */
export interface Line {
  readonly product: Product;
  quantity: number;
}

/** Placeholder replaced by the stream's deterministic `messageId` when the event is emitted in time order. */
const PENDING_MESSAGE_ID = "";

function envelope(
  type: "track" | "page" | "identify",
  actor: Actor,
  at: number,
  body: Record<string, unknown>,
): SimRecord {
  const event: Record<string, unknown> = {
    type,
    messageId: PENDING_MESSAGE_ID,
    ...actor.ids,
    ...body,
    timestamp: new Date(at).toISOString(),
  };
  if (actor.context !== undefined) event.context = actor.context;
  return { partitionKey: actor.partitionKey, event, at };
}

/** A Segment `track` call. */
export function track(
  actor: Actor,
  at: number,
  name: string,
  properties: Record<string, unknown>,
): SimRecord {
  return envelope("track", actor, at, { event: name, properties });
}

/** A Segment `page` call. */
export function page(actor: Actor, at: number, name: string, properties: Record<string, unknown>): SimRecord {
  return envelope("page", actor, at, { name, properties: { name, ...properties } });
}

/**
 * A Segment `identify` call with the actor's ids: at sign-up or login the actor carries both the `userId` and
 * the browser's `anonymousId`, which links the visitor's earlier events.
 */
export function identify(actor: Actor, at: number, traits: object): SimRecord {
  return envelope("identify", actor, at, { traits });
}

/** Cents to a USD amount with two decimals. */
export function usd(cents: number): number {
  return Math.round(cents) / 100;
}

/** Unit price in cents. */
export function priceCents(product: Product): number {
  return Math.round(product.price * 100);
}

/** E-commerce v2 product properties. */
export function productProperties(product: Product): Record<string, unknown> {
  return {
    product_id: product.productId,
    sku: product.sku,
    category: product.category,
    name: product.name,
    brand: product.brand,
    price: product.price,
    currency: product.currency,
    url: product.url,
    image_url: product.imageUrl,
  };
}

/** E-commerce v2 product properties with a quantity, as in `products[]` and cart events. */
export function lineProperties(line: Line): Record<string, unknown> {
  return { ...productProperties(line.product), quantity: line.quantity };
}
