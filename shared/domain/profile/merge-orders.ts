import { ownEntry } from "./data-keys.js";
import { pick, sum } from "./optional-numbers.js";
import { addAmounts, recomputeOrderTimes, remember, removeAmounts, takeBack, takeRefund } from "./orders.js";
import {
  ORDER_BOOKED,
  ORDER_CANCELLED,
  ORDER_CATEGORIES_MAX,
  ORDER_FULL_REFUND,
  ORDER_OTHER_CURRENCY,
  type OrderStats,
  REVENUE_MINOR_MAX,
  type RememberedOrder,
} from "./profile.js";

/** The books of two profiles merged into one. */
export interface MergedOrders {
  /** The merged books; undefined when neither profile had any. */
  readonly orders: OrderStats | undefined;
  /**
   * Times of the `Order Completed` events that booked an order the other profile had booked too: the fold of
   * both histories would have skipped them, so the caller takes them out of the `oc` counters.
   */
  readonly repeats: readonly number[];
}

/**
 * Merges `source`'s books into `target`'s (both working copies: they are modified and reused; the result may hold
 * `undefined` fields for the caller to drop). Counts and amounts
 * are summed (revenue saturating at {@link REVENUE_MINOR_MAX}, `rs` kept); the currency is the target's, else the
 * source's, and when the source booked in another one its orders go to `fx` instead of the amounts. Remembered
 * orders are unioned by id; an order both remember is reconciled as the fold of both histories would have:
 *
 * - booked by both: it counts once (the target's booking; the source's is taken out of the sums, its refunds
 *   applied to the target's booking up to what is left, its cancel applied);
 * - booked by one, with refunds or a cancel waiting for it in the other: they are applied to it and leave `ur`/`uc`;
 * - waiting in both: the waiting refunds and flags are combined (a cancel waiting in both counts once).
 */
export function mergeOrders(target: OrderStats | undefined, source: OrderStats | undefined): MergedOrders {
  if (target === undefined || source === undefined) return { orders: target ?? source, repeats: [] };
  const currency = target.c ?? source.c;
  const foreign = source.c !== undefined && source.c !== currency;
  const orders: OrderStats = {
    n: target.n + source.n,
    r: target.r,
    v: target.v ?? target.r,
    f: pick(Math.min, target.f, source.f),
    l: pick(Math.max, target.l, source.l),
    c: currency,
    rs: target.rs ?? (foreign ? undefined : source.rs),
    rn: sum(target.rn, source.rn),
    cn: sum(target.cn, source.cn),
    ur: sum(target.ur, source.ur),
    uc: sum(target.uc, source.uc),
    fx: sum(sum(target.fx, source.fx), foreign ? source.n : undefined),
    k: mergeCategories(target.k, source.k),
  };
  if (!foreign) addAmounts(orders, source.r, source.v ?? source.r);
  const list = [...(target.ro ?? [])];
  const twins: RememberedOrder[] = [];
  for (const entry of source.ro ?? []) {
    if (foreign && (entry[5] & ORDER_BOOKED) !== 0) entry[5] |= ORDER_OTHER_CURRENCY;
    if (list.some((kept) => kept[0] === entry[0])) twins.push(entry);
    else list.push(entry);
  }
  orders.ro = list;
  const repeats: number[] = [];
  for (const twin of twins) {
    const index = list.findIndex((kept) => kept[0] === twin[0]);
    const kept = list[index];
    if (kept !== undefined) list[index] = reconcile(orders, kept, twin, repeats);
  }
  if (list.length === 0) Reflect.deleteProperty(orders, "ro");
  else remember(orders, undefined);
  recomputeOrderTimes(orders);
  return { orders, repeats };
}

const booked = (entry: RememberedOrder): boolean => (entry[5] & ORDER_BOOKED) !== 0;
const cancelled = (entry: RememberedOrder): boolean => (entry[5] & ORDER_CANCELLED) !== 0;

/** One entry for an order both profiles remember (`kept` the target's, `other` the source's); returns it. */
function reconcile(
  orders: OrderStats,
  kept: RememberedOrder,
  other: RememberedOrder,
  repeats: number[],
): RememberedOrder {
  if (!booked(kept) && booked(other)) return reconcile(orders, other, kept, repeats);
  if (booked(kept) && booked(other)) {
    if (cancelled(other)) orders.cn = Math.max(0, (orders.cn ?? 0) - 1);
    else {
      orders.n = Math.max(0, orders.n - 1);
      removeAmounts(orders, other);
    }
    repeats.push(Math.max(kept[1], other[1]));
    kept[1] = Math.min(kept[1], other[1]);
    if (!cancelled(kept)) takeRefund(orders, kept, Math.min(other[4], kept[2] - kept[4]));
    if (cancelled(other)) cancel(orders, kept);
    return kept;
  }
  if (booked(kept)) {
    applyWaiting(orders, kept, other);
    return kept;
  }
  if (cancelled(kept) && cancelled(other)) orders.uc = Math.max(0, (orders.uc ?? 0) - 1);
  kept[1] = Math.min(kept[1], other[1]);
  kept[4] = Math.min(REVENUE_MINOR_MAX, kept[4] + other[4]);
  kept[5] |= other[5];
  kept[6] += other[6];
  return kept;
}

/** Applies the refunds and the cancel waiting in one profile to the order the other booked. */
function applyWaiting(orders: OrderStats, order: RememberedOrder, waiting: RememberedOrder): void {
  const refunds = waiting[6];
  if (refunds > 0) {
    orders.ur = Math.max(0, (orders.ur ?? 0) - refunds);
    orders.rn = (orders.rn ?? 0) + refunds;
    const left = order[2] - order[4];
    const full = (waiting[5] & ORDER_FULL_REFUND) !== 0;
    if (!cancelled(order)) takeRefund(orders, order, full ? left : Math.min(waiting[4], left));
  }
  if (cancelled(waiting)) {
    orders.uc = Math.max(0, (orders.uc ?? 0) - 1);
    // named before the order was placed, the fold never books it, so never counts it as cancelled after booking
    if (cancel(orders, order) && waiting[1] < order[1]) orders.cn = Math.max(0, (orders.cn ?? 0) - 1);
  }
}

/** Cancels a booked order once (a second cancel changes nothing, as in the fold); returns whether it did. */
function cancel(orders: OrderStats, order: RememberedOrder): boolean {
  if (cancelled(order)) return false;
  order[5] |= ORDER_CANCELLED;
  takeBack(orders, order);
  return true;
}

/** Orders by category summed; categories only the source counted join while there is room. */
function mergeCategories(
  target: Record<string, number> | undefined,
  source: Record<string, number> | undefined,
): Record<string, number> | undefined {
  if (target === undefined || source === undefined) return target ?? source;
  const counts = { ...target };
  for (const [category, count] of Object.entries(source)) {
    const known = ownEntry(counts, category);
    if (known === undefined && Object.keys(counts).length >= ORDER_CATEGORIES_MAX) continue;
    counts[category] = (known ?? 0) + count;
  }
  return counts;
}
