import { addSeries, addToSeries, decodeSeries, newestOffset } from "./count-series.js";
import { KIND_CODES } from "./kind-codes.js";
import { type KindStats, PRODUCT_ACTIVITY_MAX, type ProductActivity, type Profile } from "./profile.js";
import { DAILY_BUCKETS, HOUR_MS, HOURLY_BUCKETS, PRODUCT_CODES, reanchorWindows } from "./windows.js";

/**
 * Re-anchors both profiles' recent series (in place) to one anchor: the hour of `now`, or the later anchor of
 * either when one was folded later still (an anchor never moves backwards). Series can then be added bucket by
 * bucket. Two profiles that never folded an event keep no anchor.
 */
export function alignWindows(a: Profile, b: Profile, now: number): void {
  if (a.wa === undefined && b.wa === undefined) return;
  reanchorWindows(a, now);
  reanchorWindows(b, now);
  const anchor = Math.max(a.wa ?? 0, b.wa ?? 0);
  reanchorWindows(a, anchor * HOUR_MS);
  reanchorWindows(b, anchor * HOUR_MS);
}

/** Per-kind statistics of both (aligned) profiles: counts summed, the later last time, series added. */
export function mergeKindStats(target: Profile["k"], source: Profile["k"]): Profile["k"] {
  const merged: Profile["k"] = {};
  for (const code of Object.values(KIND_CODES)) {
    const a = target[code];
    const b = source[code];
    const stats: KindStats | undefined =
      a === undefined || b === undefined
        ? (a ?? b)
        : { n: a.n + b.n, l: Math.max(a.l, b.l), h: addSeries(a.h, b.h), d: addSeries(a.d, b.d) };
    if (stats !== undefined) merged[code] = stats;
  }
  return merged;
}

/**
 * Takes one event of a kind's statistics back out (count and the buckets of `time`), never below zero: an event
 * both profiles counted that the fold of both histories counts once.
 */
export function uncount(stats: KindStats, time: number, anchor: number): void {
  stats.n = Math.max(0, stats.n - 1);
  const hour = anchor - Math.floor(time / HOUR_MS);
  const day = Math.floor(anchor / 24) - Math.floor(Math.floor(time / HOUR_MS) / 24);
  stats.h = takeOne(stats.h, hour, HOURLY_BUCKETS);
  stats.d = takeOne(stats.d, day, DAILY_BUCKETS);
}

function takeOne(series: string | undefined, offset: number, length: number): string | undefined {
  return (decodeSeries(series)[offset] ?? 0) > 0 ? addToSeries(series, offset, length, -1) : series;
}

/**
 * Per-product activity of both (aligned) profiles: a product both tracked has its series added (its category
 * the target's, else the source's); most recently active first (ties: the target's order, then the source's),
 * at most {@link PRODUCT_ACTIVITY_MAX}.
 */
export function mergeProductActivity(
  target: readonly ProductActivity[] | undefined,
  source: readonly ProductActivity[] | undefined,
): ProductActivity[] | undefined {
  if (target === undefined) return source === undefined ? undefined : [...source];
  if (source === undefined) return [...target];
  const byId = new Map<string, ProductActivity>();
  for (const product of [...target, ...source]) {
    const known = byId.get(product.i);
    if (known === undefined) {
      byId.set(product.i, { ...product });
      continue;
    }
    for (const code of PRODUCT_CODES) known[code] = addSeries(known[code], product[code]);
    known.k ??= product.k;
  }
  const newest = (product: ProductActivity): number =>
    Math.min(...PRODUCT_CODES.map((code) => newestOffset(product[code]) ?? HOURLY_BUCKETS));
  return [...byId.values()].sort((a, b) => newest(a) - newest(b)).slice(0, PRODUCT_ACTIVITY_MAX);
}
