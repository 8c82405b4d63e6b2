/**
 * # Window semantics
 *
 * A window counts whole buckets, ending with the bucket that contains `now`:
 *
 * - **up to 48 h, by the hour**: `within: 24h` counts the events of the current clock hour (UTC) and of the 23
 *   whole hours before it. At 10:20, that is 11:00 yesterday to now; an event at 10:20 yesterday (exactly
 *   24 h ago) is not counted, one at 11:00 yesterday is. At 11:00 the 11:00–11:59 hour of yesterday leaves.
 * - **beyond 48 h, by the UTC day, up to 90 d**: `within: 7d` counts today (UTC) and the 6 whole days before.
 * - `where` (product id and/or category) uses the per-product hourly counts, so it needs a window of at most
 *   48 h; it covers the 20 most recently active products (`PRODUCT_ACTIVITY_MAX`).
 *
 * So a window of N buckets is between N − 1 and N buckets long. The verdict can only change by time when a
 * bucket leaves the window (or, when `now` is earlier than the last fold, enters it): at the start of an hour or
 * of a UTC day, which is what `nextChangeAt` reports.
 *
 * @module
 */
import { DAY_MS, HOUR_MS, KIND_CODES, type Profile, type WindowKind } from "../profile/index.js";
import type { CountRange, EventFilter, Window } from "./definition.js";
import type { ProfileView } from "./profile-view.js";

/** A windowed count and when time alone next changes whether it falls in the range. */
export interface WindowCount {
  readonly count: number;
  readonly nextChangeAt: number | undefined;
}

/** Whether `n` falls in the inclusive range. */
export function inRange(n: number, range: CountRange): boolean {
  return n >= range.min && (range.max === undefined || n <= range.max);
}

type ProductCode = "pv" | "pa" | "pr" | "ck" | "oc";
const PRODUCT_CODES: ReadonlySet<string> = new Set<ProductCode>(["pv", "pa", "pr", "ck", "oc"]);
const isProductCode = (code: string): code is ProductCode => PRODUCT_CODES.has(code);

/** Counts per bucket offset from the anchor (offset 0 = the anchor's hour or day), newest first. */
function offsetCounts(
  view: ProfileView,
  kind: WindowKind,
  unit: Window["unit"],
  filter?: EventFilter,
): readonly number[] {
  const code = KIND_CODES[kind];
  const profile: Profile = view.profile;
  if (filter === undefined) {
    const stats = profile.k[code];
    return unit === "hour" ? view.decoded(`h:${code}`, stats?.h) : view.decoded(`d:${code}`, stats?.d);
  }
  if (unit !== "hour" || !isProductCode(code)) return [];
  const sum: number[] = [];
  for (const product of profile.pc ?? []) {
    if (filter.productId !== undefined && product.i !== filter.productId) continue;
    if (filter.category !== undefined && product.k !== filter.category) continue;
    view.decoded(`p:${code}:${product.i}`, product[code]).forEach((n, offset) => {
      sum[offset] = (sum[offset] ?? 0) + n;
    });
  }
  return sum;
}

/**
 * How many events of `kind` (with `filter`: matching product lines) the window holds at `view.now`, and the
 * earliest time the count leaves or enters `range` by time alone (undefined: never).
 */
export function countInWindowAt(
  view: ProfileView,
  kind: WindowKind,
  window: Window,
  range: CountRange,
  filter?: EventFilter,
): WindowCount {
  const anchor = view.profile.wa;
  if (anchor === undefined) return { count: 0, nextChangeAt: undefined };
  const unitMs = window.unit === "hour" ? HOUR_MS : DAY_MS;
  const base = Math.floor(view.now / unitMs);
  const anchorBucket = window.unit === "hour" ? anchor : Math.floor(anchor / 24);
  const shift = base - anchorBucket;
  const n = window.buckets;
  // Age of a bucket = how many buckets before now's bucket it is; the window holds ages 0 … n − 1.
  let count = 0;
  const deltas = new Map<number, number>();
  offsetCounts(view, kind, window.unit, filter).forEach((events, offset) => {
    if (events === 0 || events === undefined) return;
    const age = offset + shift;
    if (age >= 0 && age < n) {
      count += events;
      deltas.set(n - age, (deltas.get(n - age) ?? 0) - events);
    } else if (age < 0) {
      deltas.set(-age, (deltas.get(-age) ?? 0) + events);
      deltas.set(n - age, (deltas.get(n - age) ?? 0) - events);
    }
  });
  const held = inRange(count, range);
  let later = count;
  for (const step of [...deltas.keys()].sort((a, b) => a - b)) {
    later += deltas.get(step) ?? 0;
    if (inRange(later, range) !== held) return { count, nextChangeAt: (base + step) * unitMs };
  }
  return { count, nextChangeAt: undefined };
}
