import type { TailorEvent } from "../events/index.js";
import { countInWindow, DAY_MS, type Profile } from "../profile/index.js";

/** How long the watch index remembers a view or a cart add (the table's TTL; reads ignore older items). */
export const WATCH_RETENTION_DAYS = 30;
/** {@link WATCH_RETENTION_DAYS} in ms. */
export const WATCH_RETENTION_MS = WATCH_RETENTION_DAYS * DAY_MS;
/** Most watches one customer's batch writes: a bot viewing the whole shop cannot flood the index. */
export const WATCHES_PER_BATCH_MAX = 25;

/** How a customer shows interest in a product: a `Product Viewed` or a `Product Added`. */
export type WatchKind = "viewed" | "carted";

/** A customer's interest in a product, as the watch index keeps it (product → customer). */
export interface Watch {
  readonly productId: string;
  readonly customerId: string;
  readonly how: WatchKind;
  /** The time of the view or the cart add (epoch ms). */
  readonly at: number;
}

/** A customer's watches of one product as read back: the newest view and cart add still remembered. */
export interface Watcher {
  readonly customerId: string;
  readonly viewedAt?: number;
  readonly cartedAt?: number;
}

const startOfUtcDay = (t: number): number => Math.floor(t / DAY_MS) * DAY_MS;

/**
 * The watches one customer's batch adds to the index: its `Product Viewed` and `Product Added` events within
 * {@link WATCH_RETENTION_MS} of `now`, at most one per product, kind and UTC day. A view or add that the profile
 * before the batch (`before`) already counted on that day was written then, so it is not written again: a
 * customer who views a product twenty times a day costs one index write, not twenty. The newest event of the day
 * is kept. (The profile counts per product for 48 hours and for its 20 most recent
 * products: a product beyond those may be written once more; the write is idempotent.)
 */
export function watchesOfBatch(
  before: Profile | undefined,
  customerId: string,
  events: readonly TailorEvent[],
  now: number,
): Watch[] {
  const byKey = new Map<string, Watch>();
  for (const event of events) {
    if (event.customerId !== customerId) continue;
    if (event.kind !== "product_viewed" && event.kind !== "product_added") continue;
    const at = event.timestamp;
    if (at < now - WATCH_RETENTION_MS) continue;
    const how: WatchKind = event.kind === "product_viewed" ? "viewed" : "carted";
    const productId = event.product.productId;
    const day = startOfUtcDay(at);
    const key = `${how}|${day}|${productId}`;
    const seen = byKey.get(key);
    if (seen !== undefined) {
      if (at > seen.at) byKey.set(key, { ...seen, at });
      continue;
    }
    if (before !== undefined && countInWindow(before, event.kind, day, day + DAY_MS - 1, { productId }) > 0)
      continue;
    byKey.set(key, { productId, customerId, how, at });
  }
  return [...byKey.values()].sort((a, b) => b.at - a.at).slice(0, WATCHES_PER_BATCH_MAX);
}

/** The products the customer's batch bought (`Order Completed` lines), each once: their watches end. */
export function purchasesOfBatch(customerId: string, events: readonly TailorEvent[]): string[] {
  const bought = new Set<string>();
  for (const event of events) {
    if (event.customerId !== customerId || event.kind !== "order_completed") continue;
    for (const product of event.order.products) bought.add(product.productId);
  }
  return [...bought];
}
