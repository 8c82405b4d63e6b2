/**
 * # Merging two profiles
 *
 * Identity resolution links an anonymous visitor to a known customer: {@link mergeProfiles} folds the source
 * profile (the anonymous id's) into the target profile (the customer's), purely. The result keeps the target's
 * `customerId` and `version` and describes one customer who did everything both profiles saw.
 *
 * ## Exact fields
 *
 * Equal to folding the union of both event histories at the same `now` with {@link foldEvents}, when both
 * profiles were folded at or before `now`, no `messageId` and no `order_id` is in both histories, and each
 * history was folded in time order (one batch, or batches one after the other):
 *
 * - `fs` (min), `ls` (max), `wa` (the common anchor: both are re-anchored to `now` first);
 * - `k`: per kind the count, the last time and the hourly and daily buckets (added bucket by bucket);
 * - `x`: custom event counts by name, while the names of both fit in {@link CUSTOM_NAMES_MAX} (beyond, a name
 *   the target did not count goes to `other`, where the fold may have kept it by name);
 * - `pc`: each product's series, while both profiles together track at most {@link PRODUCT_ACTIVITY_MAX}
 *   products (their order is by newest active bucket, ties the target's first: within one hour the fold's order
 *   of events can differ);
 * - `o`: `n`, `r`, `v`, `f`, `l`, `rn`, `cn`, `ur`, `uc` and the remembered orders `ro` (as a set, capped as the
 *   fold caps) when both booked in one currency; a refund or cancel waiting in one profile for an order the
 *   other booked is applied. `o.k` while the categories fit in {@link ORDER_CATEGORIES_MAX};
 * - `ci` (content interests): per tag the counts added and the later time, the
 *   {@link CONTENT_INTERESTS_MAX}-tag cap applied as the fold applies it; `cv` like `rv` (by the last page view);
 * - `bp` as a set, while it fits in {@link BOUGHT_PRODUCTS_MAX} (the newest order's profile first);
 * - `dd` as a set of hashes (then capped by {@link capDedup}): every `messageId` either profile applied is still a
 *   duplicate after the merge;
 * - `t` when the two `tu` times differ and every traits event carried the same trait names (the newer profile wins
 *   trait by trait, the older fills the gaps, custom traits within {@link CUSTOM_TRAITS_MAX});
 * - `sk` (counts summed, the latest by time), `xa` (per campaign the newer touch), `gr` (per group the newer
 *   call), each capped by recency as the fold caps.
 *
 * ## Approximate fields, and their bound
 *
 * - `a` (affinity): both decayed to the later time and summed. The fold rounds every score to 3 decimals at
 *   each signal, the merge at other points: a score differs by at most 0.0005 per signal folded in its category
 *   (and the {@link AFFINITY_CATEGORIES_MAX} cap may keep other categories near the cut).
 * - `e` (email): `uo`/`uc` summed and the rings concatenated (the source's sends, then the target's, the last
 *   {@link EMAIL_RING_SIZE} kept): exact counts when each email's delivery, opens and clicks went to one profile;
 *   a send seen by both counts twice. The ring's order is by profile, not by time.
 * - `rv`: the profile whose last product view (`k.pv.l`) is newer first, then the other's, unique, at most
 *   {@link RECENTLY_VIEWED_MAX}: every id is one of the two lists, the newest view first.
 * - `ct` (cart): the newer cart (greater `u`; on a tie the target's) is the base. Lines of the older cart for
 *   products not in it are added before its lines (the cart is oldest first; beyond {@link CART_ITEMS_MAX} the
 *   oldest go), unless the newer cart's profile had an order (`o.l`) at or after the older cart's `u` (an order
 *   empties the cart). An added line in another currency than the newer cart's keeps no price. Bound: every line
 *   is a line of one of the two carts (product and quantity), so a line removed on one side but still in the
 *   other's older cart comes back.
 * - `o` when the same order is in both histories: it counts once (the earlier booking's time, the target's
 *   amounts, both sides' refunds and cancel applied), and the `oc` count and buckets of the later booking are
 *   taken out, so `n`, `r`, `v`, `f`, `l`, `rn`, `ur`, `uc` and `k.oc.n` still equal the fold of both histories;
 *   `cn` may differ by one per such order (a cancel folded before its order is not counted in `cn`, and the
 *   profile does not remember which came first). The order's lines still count twice in `pc`, `a` and `o.k`. When the source booked in another currency than the target, its orders
 *   count in `fx` (not its refunds) and its amounts are not in `r`/`v`.
 * - `lc`: the stage is exact (recomputed with {@link lifecycleAt} at `now` from the merged books); its `since` is
 *   the target's when the stage is the target's, else the source's when it is the source's, else when the stage
 *   began by the merged books (for `repeat_buyer` the last order, where the fold says the order that made it so).
 *
 * ## Rules that are not the fold's
 *
 * - Consent `c`, per purpose: the most restrictive decision wins: a denial beats a grant whatever their times;
 *   of two grants or two denials the newer. Consent events folded after the merge decide as usual (a newer
 *   decision replaces the stored one), which is how a later explicit consent lifts a denial.
 * - Suppressions `s`: the union, per reason the newer; a profile's hard bounce is left out when its email
 *   address is not the merged one (it belonged to the address the other profile's newer traits replaced).
 * - Target only: `sg`, `tm`, `ob`, `oi`, `ox`, `ec` (the caller flushes the source's outboxes before and
 *   re-evaluates segments after). Target's, else source's: `rfm`, `cl`, `sc` (per model the newer score).
 * - `ss`, `ai`: union; `u`: set when either has it; `im`: the target's links, then the source's whose id is not
 *   there yet, at most {@link IDENTITY_IDS_MAX} (the caller adds the source's own link); `ix`: both, newest first,
 *   at most {@link IDENTITY_CONFLICTS_MAX}.
 *
 * Merging is not idempotent: merging the same source twice counts it twice. The caller prevents it with `im`.
 *
 * @module
 */
import { CONSENT_PURPOSES } from "../events/index.js";
import { mergeAffinity } from "./affinity.js";
import { newestTouches } from "./campaign-touch.js";
import { mergeContentInterests } from "./content-views.js";
import { countCustomName } from "./custom-names.js";
import { ownEntry } from "./data-keys.js";
import { capDedup, dedupBytesPerId, pruneDedup } from "./dedup.js";
import { mergeEmailStats } from "./email-engagement.js";
import { dropUndefined } from "./fold-events.js";
import { newestGroups } from "./groups.js";
import { lifecycleAt } from "./lifecycle.js";
import { mergeOrders } from "./merge-orders.js";
import { alignWindows, mergeKindStats, mergeProductActivity, uncount } from "./merge-windows.js";
import { mergeOpenHours } from "./open-hours.js";
import { pick } from "./optional-numbers.js";
import { boughtTimes } from "./orders.js";
import {
  BOUGHT_PRODUCTS_MAX,
  CART_ITEMS_MAX,
  type Cart,
  type ClockSkew,
  CONTENT_VIEWED_MAX,
  CUSTOM_TRAITS_MAX,
  IDENTITY_CONFLICTS_MAX,
  IDENTITY_IDS_MAX,
  type Profile,
  type ProfileTraits,
  RECENTLY_VIEWED_MAX,
  type Suppressions,
} from "./profile.js";

/**
 * Merges the `source` profile into the `target` profile at `now` (epoch ms, processing time): the profile of one
 * customer who did what both did, under the target's `customerId` and `version`. Pure and deterministic; neither
 * input is mutated. See the module documentation for which fields are exact and the bound of the others.
 */
export function mergeProfiles(target: Profile, source: Profile, now: number): Profile {
  const t = structuredClone(target);
  const s = structuredClone(source);
  alignWindows(t, s, now);
  const { orders, repeats } = mergeOrders(t.o, s.o);
  const traits = mergeTraitsOf(t, s);
  const merged: Profile = {
    ...t,
    fs: pick(Math.min, t.fs, s.fs),
    ls: pick(Math.max, t.ls, s.ls),
    ...traits,
    k: mergeKindStats(t.k, s.k),
    x: mergeCustomCounts(t.x, s.x),
    pc: mergeProductActivity(t.pc, s.pc),
    o: orders,
    e: mergeEmailStats(s.e, t.e),
    a: mergeAffinity(t.a, s.a),
    oh: mergeOpenHours(t.oh, s.oh),
    rv: newerFirst(
      t,
      s,
      (p) => p.k.pv?.l,
      (p) => p.rv,
      RECENTLY_VIEWED_MAX,
    ),
    ...mergeBought(t, s),
    ct: mergeCarts(t, s),
    ci: mergeContentInterests(t.ci, s.ci),
    cv: newerFirst(
      t,
      s,
      (p) => p.k.pg?.l,
      (p) => p.cv,
      CONTENT_VIEWED_MAX,
    ),
    c: mergeConsent(t.c, s.c),
    s: mergeSuppressions(bouncesOf(t, traits.t?.email), bouncesOf(s, traits.t?.email)),
    dd: mergeDedup(t.dd, s.dd, now),
    rfm: t.rfm ?? s.rfm,
    sc: newerByKey(t.sc, s.sc, (score) => score.at),
    cl: t.cl ?? s.cl,
    ss: union(t.ss, s.ss),
    xa:
      t.xa === undefined || s.xa === undefined
        ? (t.xa ?? s.xa)
        : newestTouches(newerByKey(t.xa, s.xa, touchTime) ?? {}),
    sk: mergeClockSkew(t.sk, s.sk),
    gr: mergeGroups(t, s),
    ai: union(t.ai, s.ai),
    u: t.u ?? s.u,
    im: mergeLinks(t, s),
    ix:
      t.ix === undefined || s.ix === undefined
        ? (t.ix ?? s.ix)
        : [...t.ix, ...s.ix].sort((a, b) => b.at - a.at).slice(0, IDENTITY_CONFLICTS_MAX),
  };
  const completed = merged.k.oc;
  for (const time of repeats)
    if (completed !== undefined && merged.wa !== undefined) uncount(completed, time, merged.wa);
  merged.lc = lifecycleAt(merged, now);
  // a stage the source had already reached keeps the source's `since`, as the fold of both histories would
  if (merged.lc.s !== t.lc.s && merged.lc.s === s.lc.s) merged.lc = lifecycleAt({ ...merged, lc: s.lc }, now);
  dropUndefined(merged);
  return merged;
}

/** Traits: per trait the profile with the newer `tu` wins (the target on a tie), the other fills the gaps. */
function mergeTraitsOf(t: Profile, s: Profile): Pick<Profile, "t" | "tu"> {
  const sourceNewer = (s.tu ?? Number.NEGATIVE_INFINITY) > (t.tu ?? Number.NEGATIVE_INFINITY);
  const [newer, older] = sourceNewer ? [s.t, t.t] : [t.t, s.t];
  const tu = pick(Math.max, t.tu, s.tu);
  if (newer === undefined || older === undefined) return { t: newer ?? older, tu };
  const traits: ProfileTraits = { ...older, ...newer };
  const custom = { ...newer.x };
  for (const [key, value] of Object.entries(older.x ?? {})) {
    if (Object.hasOwn(custom, key) || Object.keys(custom).length >= CUSTOM_TRAITS_MAX) continue;
    custom[key] = value;
  }
  traits.x = Object.keys(custom).length > 0 ? custom : undefined;
  return { t: traits, tu };
}

/** Custom event counts: the source's counts added name by name, within the fold's cap on names. */
function mergeCustomCounts(
  target: Record<string, number> | undefined,
  source: Record<string, number> | undefined,
): Record<string, number> | undefined {
  if (target === undefined || source === undefined) return target ?? source;
  const names = { ...target };
  for (const [name, count] of Object.entries(source)) countCustomName(names, name, count);
  return names;
}

/**
 * The list of the profile whose `time` is newer (the target on a tie) first, then the other's, without
 * repeating an entry, at most `max`.
 */
function newerFirst(
  t: Profile,
  s: Profile,
  time: (profile: Profile) => number | undefined,
  list: (profile: Profile) => string[] | undefined,
  max: number,
): string[] | undefined {
  const [first, second] =
    (time(s) ?? Number.NEGATIVE_INFINITY) > (time(t) ?? Number.NEGATIVE_INFINITY) ? [s, t] : [t, s];
  const ids = union(list(first), list(second));
  return ids?.slice(0, max);
}

/** The bought products of both (the newer buyer's first) and, for each, the later of its purchase times. */
function mergeBought(t: Profile, s: Profile): { bp: string[] | undefined; bt: number[] | undefined } {
  const bp = newerFirst(
    t,
    s,
    (p) => p.o?.l,
    (p) => p.bp,
    BOUGHT_PRODUCTS_MAX,
  );
  if (bp === undefined) return { bp, bt: undefined };
  const [tt, st] = [boughtTimes(t), boughtTimes(s)];
  const times = bp.flatMap((id) => {
    const at = Math.max(tt.get(id) ?? Number.NEGATIVE_INFINITY, st.get(id) ?? Number.NEGATIVE_INFINITY);
    return Number.isFinite(at) ? [at] : [];
  });
  return { bp, bt: times.length === bp.length ? times : undefined };
}

/** Both lists, the first's entries first, each entry once; undefined when both are absent. */
function union(a: readonly string[] | undefined, b: readonly string[] | undefined): string[] | undefined {
  if (a === undefined && b === undefined) return undefined;
  return [...new Set([...(a ?? []), ...(b ?? [])])];
}

/** Per key the entry with the newer `time` (the target's on a tie). */
function newerByKey<V>(
  target: Readonly<Record<string, V>> | undefined,
  source: Readonly<Record<string, V>> | undefined,
  time: (value: V) => number,
): Record<string, V> | undefined {
  if (target === undefined || source === undefined) return target ?? source;
  const merged = { ...target };
  for (const [key, value] of Object.entries(source)) {
    const known = ownEntry(merged, key);
    if (known === undefined || time(value) > time(known)) merged[key] = value;
  }
  return merged;
}

/**
 * The cart: the newer cart (greater `u`, the target's on a tie) with the older cart's lines for other products
 * before its own, unless the newer cart's profile ordered at or after the older cart's last change.
 */
function mergeCarts(t: Profile, s: Profile): Cart | undefined {
  if (t.ct === undefined || s.ct === undefined) return t.ct ?? s.ct;
  const [newerProfile, newer, older] = s.ct.u > t.ct.u ? [s, s.ct, t.ct] : [t, t.ct, s.ct];
  if ((newerProfile.o?.l ?? Number.NEGATIVE_INFINITY) >= older.u) return newer;
  const present = new Set(newer.i.map((line) => line.p));
  const added = older.i
    .filter((line) => !present.has(line.p))
    .map((line) => (older.c === newer.c ? line : { ...line, m: undefined }));
  return { ...newer, i: [...added, ...newer.i].slice(-CART_ITEMS_MAX) };
}

/** Consent per purpose: a denial beats a grant; of two grants or two denials, the newer (the target's on a tie). */
function mergeConsent(target: Profile["c"], source: Profile["c"]): Profile["c"] {
  if (target === undefined || source === undefined) return target ?? source;
  const merged: Profile["c"] = {};
  for (const purpose of CONSENT_PURPOSES) {
    const a = target[purpose];
    const b = source[purpose];
    if (a === undefined || b === undefined) merged[purpose] = a ?? b;
    else if (a.g !== b.g) merged[purpose] = a.g ? b : a;
    else merged[purpose] = b.at > a.at ? b : a;
  }
  return merged;
}

/**
 * A profile's suppressions, without its hard bounce when its email address is not the merged one: the bounce
 * belonged to the address the other profile's newer traits replaced (as a newer email trait lifts it in the fold).
 */
function bouncesOf(profile: Profile, email: string | undefined): Suppressions | undefined {
  const own = profile.t?.email;
  if (profile.s?.hard_bounce === undefined || own === undefined || own === email) return profile.s;
  const { hard_bounce: _replaced, ...rest } = profile.s;
  return Object.keys(rest).length > 0 ? rest : undefined;
}

/** Suppressions: the union, per reason the newer. */
function mergeSuppressions(
  target: Suppressions | undefined,
  source: Suppressions | undefined,
): Suppressions | undefined {
  if (target === undefined || source === undefined) return target ?? source;
  const merged: Suppressions = { ...target };
  for (const kind of ["hard_bounce", "complaint", "unsubscribe", "sms_failed"] as const) {
    const other = source[kind];
    const known = merged[kind];
    if (other !== undefined && (known === undefined || other.at > known.at)) merged[kind] = other;
  }
  return merged;
}

/**
 * Dedup memory: both, pruned at `now`, each hash once (in the newest hour bucket that holds it, so it is
 * remembered at least as long as either profile remembered it), then capped as the fold caps.
 */
function mergeDedup(
  target: Readonly<Record<string, string>>,
  source: Readonly<Record<string, string>>,
  now: number,
): Record<string, string> {
  const width = dedupBytesPerId();
  const a = pruneDedup(target, now);
  const b = pruneDedup(source, now);
  const hours = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort((x, y) => Number(y) - Number(x));
  const seen = new Set<string>();
  const memory: Record<string, string> = {};
  for (const hour of hours) {
    const packed = `${ownEntry(a, hour) ?? ""}${ownEntry(b, hour) ?? ""}`;
    let kept = "";
    for (let i = 0; i + width <= packed.length; i += width) {
      const hash = packed.slice(i, i + width);
      if (seen.has(hash)) continue;
      seen.add(hash);
      kept += hash;
    }
    if (kept !== "") memory[hour] = kept;
  }
  capDedup(memory);
  return memory;
}

const touchTime = (touch: [string, number]): number => touch[1];

/** Clock skew: counts summed; the latest clamped event's skew (of two at one time, the larger, as the fold). */
function mergeClockSkew(target: ClockSkew | undefined, source: ClockSkew | undefined): ClockSkew | undefined {
  if (target === undefined || source === undefined) return target ?? source;
  const later = source.at > target.at || (source.at === target.at && source.ms > target.ms) ? source : target;
  return { ...later, n: target.n + source.n };
}

/** Groups: per group id the newer call (the target's on a tie), most recent first, capped as the fold caps. */
function mergeGroups(t: Profile, s: Profile): Profile["gr"] {
  if (t.gr === undefined || s.gr === undefined) return t.gr ?? s.gr;
  const byId = new Map(t.gr.map((group) => [group.i, group]));
  for (const group of s.gr) {
    const known = byId.get(group.i);
    if (known === undefined || group.at > known.at) byId.set(group.i, group);
  }
  return newestGroups([...byId.values()]);
}

/** Identity links: the target's, then the source's whose id is not there yet, at most {@link IDENTITY_IDS_MAX}. */
function mergeLinks(t: Profile, s: Profile): Profile["im"] {
  if (t.im === undefined || s.im === undefined) return t.im ?? s.im;
  const ids = new Set(t.im.map((link) => link.i));
  return [...t.im, ...s.im.filter((link) => !ids.has(link.i))].slice(0, IDENTITY_IDS_MAX);
}
