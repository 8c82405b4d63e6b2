/**
 * # Orders: the books
 *
 * `o.n` counts orders, `o.r` their totals and `o.v` their revenue (Segment's `revenue`, excluding shipping and
 * tax), net of refunds and cancels. The profile remembers its {@link RECENT_ORDERS_MAX} most recent orders
 * (`o.ro`, one {@link RememberedOrder} each) so that:
 *
 * - an `Order Completed` books once per `order_id`: a repeat (a producer retry under a new `messageId`) books
 *   nothing;
 * - an `Order Refunded` takes off at most what is left of the order it names: its `total`, else the sum of its
 *   priced lines, else (no amount, no lines) the whole rest of the order; a refund listing lines without prices
 *   is counted and books nothing. `o.r` never goes below 0 and never above the orders' totals;
 * - an `Order Cancelled` takes the order back out once: the count, what is left of its total and revenue after
 *   refunds, and the first/last order times (recomputed from the remembered orders); the lifecycle follows.
 *   What the order did as behaviour stays: the `Order Completed` counters and windows, per-product activity,
 *   bought products, category affinity and order counts by category;
 * - a refund or a cancel naming an order the profile does not remember waits on a remembered entry of its own
 *   and is counted (`o.ur`, `o.uc`): if the order arrives later (a cancel folded before its order, in one batch
 *   or across batches) it is applied then and leaves the count, so the books end the same in any arrival order.
 *
 * @module
 */
import { isSafeKey } from "../events/index.js";
import { shortHash } from "./dedup.js";
import {
  BOUGHT_PRODUCTS_MAX,
  ORDER_BOOKED,
  ORDER_CANCELLED,
  ORDER_CATEGORIES_MAX,
  ORDER_FULL_REFUND,
  ORDER_OTHER_CURRENCY,
  type OrderStats,
  type Profile,
  RECENT_ORDERS_MAX,
  REVENUE_MINOR_MAX,
  type RememberedOrder,
} from "./profile.js";

/** What an `Order Completed` books. */
export interface CompletedOrder {
  readonly orderId: string;
  /** Minor units of `currency`. */
  readonly total: number;
  /** Segment's `revenue`, minor units; the total when absent. */
  readonly revenue: number | undefined;
  readonly currency: string;
  readonly time: number;
  readonly categories: Iterable<string | undefined>;
}

/** What an `Order Refunded` asks: an amount (minor units), the whole rest of the order, or an unknown part. */
export type RefundAmount = number | "rest" | "unknown";

const ZERO: OrderStats = { n: 0, r: 0 };

/** Whether the order was already completed (booked or cancelled first): a repeat must not count again. */
export function isKnownOrder(profile: Profile, orderId: string): boolean {
  const entry = findOrder(profile.o, shortHash(orderId));
  return entry !== undefined && (entry[5] & ORDER_BOOKED) !== 0;
}

/**
 * What became of the remembered order `orderId` since it was placed: `cancelled`, `refunded` (in whole or in
 * part, by a refund whose amount is known or a full refund), or undefined (neither, or not remembered).
 */
export function orderReversal(profile: Profile, orderId: string): "cancelled" | "refunded" | undefined {
  const entry = findOrder(profile.o, shortHash(orderId));
  if (entry === undefined) return undefined;
  if ((entry[5] & ORDER_CANCELLED) !== 0) return "cancelled";
  if (entry[4] > 0 || (entry[5] & ORDER_FULL_REFUND) !== 0) return "refunded";
  return undefined;
}

/**
 * Folds a completed order: count, first and last order time, total and revenue, orders per category, and
 * the refunds or the cancel that were waiting for it. A repeat of a remembered order changes nothing.
 */
export function recordOrder(profile: Profile, order: CompletedOrder): void {
  const orders: OrderStats = profile.o ?? { ...ZERO };
  profile.o = orders;
  const id = shortHash(order.orderId);
  const entry = findOrder(orders, id) ?? newEntry(id, order.time);
  if ((entry[5] & ORDER_BOOKED) !== 0) return;
  entry[1] = order.time;
  entry[2] = order.total;
  entry[3] = order.revenue ?? order.total;
  entry[5] |= ORDER_BOOKED;
  countCategories(orders, order.categories);
  const waiting = entry[6];
  const waitingAmount = entry[4];
  entry[4] = 0;
  entry[6] = 0;
  if (waiting > 0) {
    orders.ur = Math.max(0, (orders.ur ?? 0) - waiting);
    orders.rn = (orders.rn ?? 0) + waiting;
  }
  orders.c ??= order.currency;
  orders.v ??= orders.r;
  if ((entry[5] & ORDER_CANCELLED) !== 0) {
    orders.uc = Math.max(0, (orders.uc ?? 0) - 1);
    remember(orders, entry);
    return;
  }
  orders.n++;
  orders.f = Math.min(orders.f ?? order.time, order.time);
  orders.l = Math.max(orders.l ?? order.time, order.time);
  if (order.currency === orders.c) addAmounts(orders, entry[2], entry[3]);
  else {
    entry[5] |= ORDER_OTHER_CURRENCY;
    orders.fx = (orders.fx ?? 0) + 1;
  }
  if (waiting > 0) {
    const amount = (entry[5] & ORDER_FULL_REFUND) !== 0 ? entry[2] : Math.min(waitingAmount, entry[2]);
    takeRefund(orders, entry, amount);
  }
  remember(orders, entry);
}

/**
 * Folds a refund of `orderId`: at most what is left of the order is taken off `o.r` (and its share of `o.v`).
 * A refund of an order not remembered waits for it and is counted in `o.ur`.
 */
export function recordRefund(
  profile: Profile,
  refund: {
    readonly orderId: string;
    readonly amount: RefundAmount;
    readonly currency: string;
    readonly time: number;
  },
): void {
  const orders: OrderStats = profile.o ?? { ...ZERO };
  profile.o = orders;
  const id = shortHash(refund.orderId);
  const found = findOrder(orders, id);
  if (found === undefined || (found[5] & ORDER_BOOKED) === 0) {
    const entry = found ?? newEntry(id, refund.time);
    if (refund.amount === "rest") entry[5] |= ORDER_FULL_REFUND;
    else if (refund.amount !== "unknown") entry[4] = Math.min(REVENUE_MINOR_MAX, entry[4] + refund.amount);
    entry[6]++;
    orders.ur = (orders.ur ?? 0) + 1;
    remember(orders, found === undefined ? entry : undefined);
    return;
  }
  orders.rn = (orders.rn ?? 0) + 1;
  if ((found[5] & (ORDER_CANCELLED | ORDER_OTHER_CURRENCY)) !== 0) return;
  if (typeof refund.amount === "number" && refund.currency !== orders.c) {
    orders.fx = (orders.fx ?? 0) + 1;
    return;
  }
  const left = found[2] - found[4];
  const amount = refund.amount === "rest" ? left : refund.amount === "unknown" ? 0 : refund.amount;
  takeRefund(orders, found, Math.min(amount, left));
}

/**
 * Folds a cancel of `orderId`: a booked order is taken back out once (count, what is left of its amounts,
 * first and last order times). Returns whether it was. A cancel of an order not remembered waits for it and is
 * counted in `o.uc`; a repeated cancel changes nothing.
 */
export function recordCancel(
  profile: Profile,
  cancel: { readonly orderId: string; readonly time: number },
): boolean {
  const orders: OrderStats = profile.o ?? { ...ZERO };
  profile.o = orders;
  const id = shortHash(cancel.orderId);
  const found = findOrder(orders, id);
  const entry = found ?? newEntry(id, cancel.time);
  if ((entry[5] & ORDER_CANCELLED) !== 0) return false;
  entry[5] |= ORDER_CANCELLED;
  if ((entry[5] & ORDER_BOOKED) === 0) {
    orders.uc = (orders.uc ?? 0) + 1;
    if (found === undefined) remember(orders, entry);
    return false;
  }
  takeBack(orders, entry);
  return true;
}

/**
 * Takes a booked order that was just cancelled back out of the books: the count, what is left of its amounts
 * after refunds, and the first and last order times (recomputed).
 */
export function takeBack(orders: OrderStats, entry: RememberedOrder): void {
  orders.n = Math.max(0, orders.n - 1);
  orders.cn = (orders.cn ?? 0) + 1;
  removeAmounts(orders, entry);
  recomputeOrderTimes(orders);
}

/** Takes what is left of a booked order's total and revenue (after its refunds) off the books, in its currency only. */
export function removeAmounts(orders: OrderStats, entry: RememberedOrder): void {
  if ((entry[5] & ORDER_OTHER_CURRENCY) !== 0) return;
  addAmounts(orders, -(entry[2] - entry[4]), -(entry[3] - revenueShare(entry, entry[4])));
}

/**
 * Remembers the products of an order and when they were bought (`bp`, `bt`): the newest order's products go
 * first; an order older than the last one folded only fills the list where it has room, so a late event never
 * pushes newer purchases out. A product bought again keeps the later of its purchase times.
 */
export function recordBoughtProducts(
  profile: Profile,
  productIds: readonly string[],
  newest: boolean,
  time: number,
): void {
  const ids = [...new Set(productIds)];
  if (ids.length === 0) return;
  const times = boughtTimes(profile);
  for (const id of ids) times.set(id, Math.max(times.get(id) ?? time, time));
  const known = profile.bp ?? [];
  const merged = newest
    ? [...ids, ...known.filter((id) => !ids.includes(id))]
    : [...known, ...ids.filter((id) => !known.includes(id))];
  profile.bp = merged.slice(0, BOUGHT_PRODUCTS_MAX);
  profile.bt = profile.bp.map((id) => times.get(id) ?? time);
}

/**
 * When each remembered bought product (`bp`) was last bought, epoch ms. A product remembered without a time (a
 * profile folded before `bt` existed) counts as bought at the last order, the latest it can have been.
 */
export function boughtTimes(profile: Profile): Map<string, number> {
  const times = new Map<string, number>();
  const known = profile.bt ?? [];
  (profile.bp ?? []).forEach((id, i) => {
    const at = known[i] ?? profile.o?.l;
    if (at !== undefined && Number.isFinite(at)) times.set(id, at);
  });
  return times;
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

/** Takes `amount` (≤ what is left) of a booked order off the books, and the same share of its revenue. */
export function takeRefund(orders: OrderStats, entry: RememberedOrder, amount: number): void {
  if (amount <= 0 || (entry[5] & ORDER_OTHER_CURRENCY) !== 0) return;
  const before = revenueShare(entry, entry[4]);
  entry[4] += amount;
  addAmounts(orders, -amount, -(revenueShare(entry, entry[4]) - before));
}

/** The part of the order's revenue that `refunded` of its total stands for (all of it once fully refunded). */
function revenueShare(entry: RememberedOrder, refunded: number): number {
  const [, , total, revenue] = entry;
  if (refunded <= 0) return 0;
  if (refunded >= total) return revenue;
  return Math.min(revenue, Math.round((revenue * refunded) / total));
}

/**
 * Adds amounts in the profile's currency to `r` and `v`, each kept within 0 and {@link REVENUE_MINOR_MAX}
 * (`rs` records that it saturated), so they never leave the exact integers. A profile folded before `v` existed
 * starts `v` from `r`.
 */
export function addAmounts(orders: OrderStats, total: number, revenue: number): void {
  orders.v ??= orders.r;
  const sum = orders.r + total;
  orders.r = Math.min(REVENUE_MINOR_MAX, Math.max(0, sum));
  const revenueSum = orders.v + revenue;
  orders.v = Math.min(REVENUE_MINOR_MAX, Math.max(0, revenueSum));
  if (orders.r !== sum && sum > 0) orders.rs = true;
}

/** First and last order times after a cancel: from the booked, uncancelled orders still remembered. */
export function recomputeOrderTimes(orders: OrderStats): void {
  if (orders.n === 0) {
    Reflect.deleteProperty(orders, "f");
    Reflect.deleteProperty(orders, "l");
    return;
  }
  const times = (orders.ro ?? [])
    .filter(([, , , , , flags]) => (flags & ORDER_BOOKED) !== 0 && (flags & ORDER_CANCELLED) === 0)
    .map(([, at]) => at);
  if (times.length === 0) return;
  orders.l = Math.max(...times);
  if (times.length >= orders.n) orders.f = Math.min(...times);
}

function findOrder(orders: OrderStats | undefined, id: string): RememberedOrder | undefined {
  return orders?.ro?.find((entry) => entry[0] === id);
}

function newEntry(id: string, time: number): RememberedOrder {
  return [id, time, 0, 0, 0, 0, 0];
}

/** Puts a new entry in the list (newest order time first) and keeps the {@link RECENT_ORDERS_MAX} newest. */
export function remember(orders: OrderStats, entry: RememberedOrder | undefined): void {
  const list = orders.ro ?? [];
  if (entry !== undefined && !list.includes(entry)) list.push(entry);
  list.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  orders.ro = list.slice(0, RECENT_ORDERS_MAX);
}

/** Average order value in minor units of `o.c`, or undefined before the first order. */
export function averageOrderValue(profile: Profile): number | undefined {
  const orders = profile.o;
  return orders === undefined || orders.n === 0 ? undefined : Math.round(orders.r / orders.n);
}
