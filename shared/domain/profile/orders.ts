import { isSafeKey } from "../events/index.js";
import {
  BOUGHT_PRODUCTS_MAX,
  ORDER_CATEGORIES_MAX,
  type OrderStats,
  type Profile,
  REVENUE_MINOR_MAX,
} from "./profile.js";

/** Folds a completed order: count, first and last order time, revenue, orders per category. */
export function recordOrder(
  profile: Profile,
  total: number,
  currency: string,
  time: number,
  categories: Iterable<string | undefined> = [],
): void {
  const orders: OrderStats = profile.o ?? { n: 0, r: 0 };
  orders.n++;
  orders.f = Math.min(orders.f ?? time, time);
  orders.l = Math.max(orders.l ?? time, time);
  addAmount(orders, total, currency);
  countCategories(orders, categories);
  profile.o = orders;
}

/**
 * Remembers the products of an order: the newest order's products go first; an order older than the last one
 * folded only fills the list where it has room, so a late event never pushes newer purchases out.
 */
export function recordBoughtProducts(profile: Profile, productIds: readonly string[], newest: boolean): void {
  const ids = [...new Set(productIds)];
  if (ids.length === 0) return;
  const known = profile.bp ?? [];
  const merged = newest
    ? [...ids, ...known.filter((id) => !ids.includes(id))]
    : [...known, ...ids.filter((id) => !known.includes(id))];
  profile.bp = merged.slice(0, BOUGHT_PRODUCTS_MAX);
}

/** Counts the order once in each distinct category it contains, for at most {@link ORDER_CATEGORIES_MAX}. */
function countCategories(orders: OrderStats, categories: Iterable<string | undefined>): void {
  const counts = orders.k ?? {};
  for (const category of new Set(categories)) {
    if (category === undefined || !isSafeKey(category)) continue;
    const known = Object.hasOwn(counts, category);
    if (!known && Object.keys(counts).length >= ORDER_CATEGORIES_MAX) continue;
    counts[category] = (counts[category] ?? 0) + 1;
  }
  if (Object.keys(counts).length > 0) orders.k = counts;
}

/** Folds a refund: revenue goes down; the order count does not. */
export function recordRefund(profile: Profile, total: number, currency: string): void {
  const orders: OrderStats = profile.o ?? { n: 0, r: 0 };
  orders.rn = (orders.rn ?? 0) + 1;
  addAmount(orders, -total, currency);
  profile.o = orders;
}

/**
 * Adds an amount in the profile's currency (set by the first amount folded). Without exchange rates an amount
 * in another currency cannot be added: it is counted in `fx` instead, so reports can tell revenue is partial.
 * Revenue saturates at ±{@link REVENUE_MINOR_MAX} (and `rs` records it), so it never leaves the exact integers.
 */
function addAmount(orders: OrderStats, amount: number, currency: string): void {
  orders.c ??= currency;
  if (currency !== orders.c) {
    orders.fx = (orders.fx ?? 0) + 1;
    return;
  }
  const sum = orders.r + amount;
  orders.r = Math.min(REVENUE_MINOR_MAX, Math.max(-REVENUE_MINOR_MAX, sum));
  if (orders.r !== sum) orders.rs = true;
}

/** Average order value in minor units of `o.c`, or undefined before the first order. */
export function averageOrderValue(profile: Profile): number | undefined {
  const orders = profile.o;
  return orders === undefined || orders.n === 0 ? undefined : Math.round(orders.r / orders.n);
}
