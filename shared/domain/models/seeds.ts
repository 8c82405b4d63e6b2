import { affinityAt } from "../profile/affinity.js";
import { boughtAt } from "../profile/bought-at.js";
import { newestOffset } from "../profile/count-series.js";
import type { Profile } from "../profile/profile.js";
import { DAY_MS, HOUR_MS } from "../profile/windows.js";

/** What a customer did with a product. */
export type SignalKind = "view" | "cart" | "purchase";

/** Weight of each signal before recency: a view weighs less than an add to cart, which weighs less than a purchase. */
export const SIGNAL_WEIGHTS: Readonly<Record<SignalKind, number>> = { view: 1, cart: 3, purchase: 5 };
/** A signal's weight halves every this many days. */
export const SIGNAL_HALF_LIFE_DAYS = 30;
/** Each step down the recently-viewed list (newest first) multiplies a view's weight by this. */
export const VIEW_RANK_DECAY = 0.9;
/** Most seeds a request carries (the strongest kept). */
export const SEEDS_MAX = 40;

/** One product the customer's recommendations start from, with how much it counts. */
export interface Seed {
  readonly productId: string;
  /** The strongest signal behind it. */
  readonly kind: SignalKind;
  /** Sum of its signals' weights, each {@link SIGNAL_WEIGHTS} × ½^(age / {@link SIGNAL_HALF_LIFE_DAYS} days). */
  readonly weight: number;
}

/** A category and the customer's affinity to it (decayed to the time asked). */
export interface CategoryAffinity {
  readonly category: string;
  readonly score: number;
}

/** What a personal recommendation is computed from: the customer's seeds and category affinity. */
export interface PersonalSignals {
  /** Strongest first, at most {@link SEEDS_MAX}. */
  readonly seeds: readonly Seed[];
  /** Strongest first. */
  readonly affinity: readonly CategoryAffinity[];
}

const decay = (ageMs: number): number => 2 ** (-Math.max(0, ageMs) / (SIGNAL_HALF_LIFE_DAYS * DAY_MS));
const round = (x: number): number => Math.round(x * 1e4) / 1e4;
const RANK: Readonly<Record<SignalKind, number>> = { view: 0, cart: 1, purchase: 2 };

/**
 * The seeds of a customer's recommendations at `now`, from what the profile remembers:
 * - **bought** (`bp`, with `bt` the time of the last purchase of each, and orders of the last 48 hours: see
 *   `boughtAt`): {@link SIGNAL_WEIGHTS}.purchase, decayed from that time;
 * - **carted**: the open cart's lines (decayed from the cart's last change) and products added to a cart in the
 *   last 48 hours (`pc`), {@link SIGNAL_WEIGHTS}.cart;
 * - **viewed** (`rv`, newest first): {@link SIGNAL_WEIGHTS}.view, decayed from the product's last view when the
 *   recent counts know it (else the customer's last view of any product), times {@link VIEW_RANK_DECAY}^rank.
 *
 * A product with several signals sums them. Category affinity is the profile's (`a`), decayed to `now`.
 */
export function personalSignals(profile: Profile, now: number): PersonalSignals {
  const seeds = new Map<string, { kind: SignalKind; weight: number }>();
  const add = (productId: string, kind: SignalKind, weight: number): void => {
    const seed = seeds.get(productId);
    if (seed === undefined) seeds.set(productId, { kind, weight });
    else {
      seed.weight += weight;
      if (RANK[kind] > RANK[seed.kind]) seed.kind = kind;
    }
  };
  for (const [productId, at] of boughtAt(profile))
    add(productId, "purchase", SIGNAL_WEIGHTS.purchase * decay(now - at));
  const cart = profile.ct;
  const inCart = new Set<string>();
  for (const line of cart?.i ?? []) {
    inCart.add(line.p);
    add(line.p, "cart", SIGNAL_WEIGHTS.cart * decay(now - (cart?.u ?? now)));
  }
  const anchor = profile.wa;
  const hourOf = (offset: number | undefined) =>
    anchor === undefined || offset === undefined ? undefined : (anchor - offset) * HOUR_MS;
  const lastViewed = new Map<string, number>();
  for (const activity of profile.pc ?? []) {
    const viewed = hourOf(newestOffset(activity.pv));
    if (viewed !== undefined) lastViewed.set(activity.i, viewed);
    const added = hourOf(newestOffset(activity.pa));
    if (added !== undefined && !inCart.has(activity.i))
      add(activity.i, "cart", SIGNAL_WEIGHTS.cart * decay(now - added));
  }
  const anyView = profile.k.pv?.l ?? now;
  (profile.rv ?? []).forEach((productId, rank) => {
    const at = lastViewed.get(productId) ?? anyView;
    add(productId, "view", SIGNAL_WEIGHTS.view * decay(now - at) * VIEW_RANK_DECAY ** rank);
  });
  const ranked = [...seeds]
    .map(([productId, seed]) => ({ productId, kind: seed.kind, weight: round(seed.weight) }))
    .filter((seed) => seed.weight > 0)
    .sort(
      (a, b) => b.weight - a.weight || (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0),
    )
    .slice(0, SEEDS_MAX);
  return { seeds: ranked, affinity: affinityAt(profile, now) };
}
