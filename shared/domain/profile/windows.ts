import type { EventKind } from "../events/index.js";
import { addToSeries, shiftSeries, sumSeries } from "./count-series.js";
import {
  KIND_CODES,
  PRODUCT_KINDS,
  type ProductKind,
  type WindowKindOrName,
  windowKindOf,
} from "./kind-codes.js";
import { PRODUCT_ACTIVITY_MAX, type ProductActivity, type Profile } from "./profile.js";

/** One hour in ms. */
export const HOUR_MS = 3_600_000;
/** One day in ms. */
export const DAY_MS = 86_400_000;
/** Hourly buckets kept: enough for any window up to 48 hours. */
export const HOURLY_BUCKETS = 49;
/** Daily (UTC) buckets kept: enough for any window up to 90 days. */
export const DAILY_BUCKETS = 91;

/** The code of a product kind (`pv`, `pa`, `pr`, `ck`, `oc`). */
export type ProductCode = (typeof KIND_CODES)[ProductKind];
/** The codes of the {@link PRODUCT_KINDS}: the series keys of a {@link ProductActivity}. */
export const PRODUCT_CODES: readonly ProductCode[] = PRODUCT_KINDS.map((kind) => KIND_CODES[kind]);
const PRODUCT_CODE_SET: ReadonlySet<string> = new Set(PRODUCT_CODES);

const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS);
const dayOfHour = (hour: number): number => Math.floor(hour / 24);

/**
 * Moves every recent series so offset 0 is the hour of `now`, dropping buckets that fall out of the windows
 * and products with no recent activity. The anchor never moves backwards.
 */
export function reanchorWindows(profile: Profile, now: number): void {
  const target = hourOf(now);
  const anchor = profile.wa;
  if (anchor !== undefined && target <= anchor) return;
  profile.wa = target;
  if (anchor === undefined) return;
  const hours = target - anchor;
  const days = dayOfHour(target) - dayOfHour(anchor);
  for (const stats of Object.values(profile.k)) {
    if (stats === undefined) continue;
    stats.h = shiftSeries(stats.h, hours, HOURLY_BUCKETS);
    stats.d = shiftSeries(stats.d, days, DAILY_BUCKETS);
  }
  if (profile.pc === undefined) return;
  for (const product of profile.pc) {
    for (const code of PRODUCT_CODES) product[code] = shiftSeries(product[code], hours, HOURLY_BUCKETS);
  }
  const active = profile.pc.filter((product) => PRODUCT_CODES.some((code) => product[code] !== undefined));
  profile.pc = active.length > 0 ? active : undefined;
}

/** Bucket offsets of an event time from the anchor; times ahead of `now` count in the current hour. */
function offsetsOf(profile: Profile, time: number, now: number): { hour: number; day: number } {
  const anchor = profile.wa ?? hourOf(now);
  const hour = hourOf(Math.min(time, now));
  return { hour: anchor - hour, day: dayOfHour(anchor) - dayOfHour(hour) };
}

/** Counts one event of a windowed kind in its hourly and daily buckets (when still inside the windows). */
export function recordInWindows(profile: Profile, kind: EventKind, time: number, now: number): void {
  const stats = profile.k[KIND_CODES[kind]];
  if (stats === undefined) return;
  const { hour, day } = offsetsOf(profile, time, now);
  stats.h = addToSeries(stats.h, hour, HOURLY_BUCKETS);
  stats.d = addToSeries(stats.d, day, DAILY_BUCKETS);
}

/**
 * Counts one product event in the product's hourly buckets and makes it the most recently active product;
 * beyond {@link PRODUCT_ACTIVITY_MAX} products the least recently active one is dropped. Events older than
 * the hourly window leave the products as they are.
 */
export function recordProduct(
  profile: Profile,
  kind: ProductKind,
  productId: string,
  category: string | undefined,
  time: number,
  now: number,
): void {
  const { hour } = offsetsOf(profile, time, now);
  if (hour < 0 || hour >= HOURLY_BUCKETS) return;
  const products = profile.pc ?? [];
  const index = products.findIndex((p) => p.i === productId);
  const [entry] = index >= 0 ? products.splice(index, 1) : [{ i: productId }];
  if (entry === undefined) return;
  const code = KIND_CODES[kind];
  entry[code] = addToSeries(entry[code], hour, HOURLY_BUCKETS);
  if (category !== undefined) entry.k = category;
  products.unshift(entry);
  profile.pc = products.slice(0, PRODUCT_ACTIVITY_MAX);
}

/** Narrows a count to one product and/or one category (recent tier only). */
export interface WindowFilter {
  readonly productId?: string;
  readonly category?: string;
}

/**
 * How many events of a kind happened between `sinceMs` and `nowMs`, from the recent buckets.
 *
 * - Windows starting within the last 48 hours of the anchor use hourly buckets; longer ones use daily (UTC)
 *   buckets, up to 90 days. A bucket counts when it overlaps the window, so the answer can include up to one
 *   bucket's worth of events just before `sinceMs` (an hour for short windows, a day for long ones).
 * - With a `filter` (product and/or category), only the hourly per-product counts are used, so the answer
 *   covers at most the last 48 hours (a lower bound for longer windows), for the products still tracked.
 * - Events are known up to the last fold; `nowMs` may be later.
 */
export function countInWindow(
  profile: Profile,
  kindOrName: WindowKindOrName,
  sinceMs: number,
  nowMs: number,
  filter?: WindowFilter,
): number {
  const kind = windowKindOf(kindOrName);
  const anchor = profile.wa;
  if (kind === undefined || anchor === undefined || sinceMs > nowMs) return 0;
  const newest = Math.max(0, anchor - hourOf(nowMs));
  const oldestHour = anchor - hourOf(sinceMs);
  if (filter?.productId !== undefined || filter?.category !== undefined) {
    const code = KIND_CODES[kind];
    if (!isProductCode(code)) return 0;
    let sum = 0;
    for (const product of profile.pc ?? []) {
      if (filter.productId !== undefined && product.i !== filter.productId) continue;
      if (filter.category !== undefined && product.k !== filter.category) continue;
      sum += sumSeries(product[code], newest, oldestHour);
    }
    return sum;
  }
  const stats = profile.k[KIND_CODES[kind]];
  if (stats === undefined) return 0;
  if (oldestHour < HOURLY_BUCKETS) return sumSeries(stats.h, newest, oldestHour);
  const anchorDay = dayOfHour(anchor);
  const newestDay = Math.max(0, anchorDay - dayOfHour(hourOf(nowMs)));
  return sumSeries(stats.d, newestDay, anchorDay - dayOfHour(hourOf(sinceMs)));
}

function isProductCode(code: string): code is ProductCode {
  return PRODUCT_CODE_SET.has(code);
}

/** Latest time an event of `kind` happened (epoch ms), or undefined if never. */
export function lastAt(profile: Profile, kind: EventKind): number | undefined {
  return profile.k[KIND_CODES[kind]]?.l;
}
