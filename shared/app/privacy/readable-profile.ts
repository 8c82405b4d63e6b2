import type { JsonValue } from "#shared/domain/privacy/json-value.js";
import { toJson } from "#shared/domain/privacy/json-value.js";
import type { Profile } from "#shared/domain/profile/index.js";

/**
 * The profile's short stored keys (kept short because DynamoDB bills per KB) → a readable name and what it holds.
 * Keys not listed here keep their stored name.
 */
export const PROFILE_FIELDS: Readonly<Record<string, { readonly name: string; readonly meaning: string }>> = {
  customerId: { name: "customerId", meaning: "the customer's id (userId, or anonymousId)" },
  version: { name: "version", meaning: "how many times the profile was written" },
  sv: { name: "layoutVersion", meaning: "version of the stored layout" },
  fs: { name: "firstSeenAt", meaning: "time of the earliest event (epoch ms)" },
  ls: { name: "lastSeenAt", meaning: "time of the latest event the customer did (epoch ms)" },
  t: { name: "traits", meaning: "traits: email, names, location, time zone, locale, custom traits" },
  tu: { name: "traitsUpdatedAt", meaning: "time of the newest event whose traits were kept (epoch ms)" },
  k: {
    name: "activityByKind",
    meaning: "per kind of event (short code): count `n`, last time `l`, recent counts by hour/day",
  },
  x: { name: "customEventCounts", meaning: "counts of custom events by name" },
  wa: { name: "activityAnchorHour", meaning: "the hour (epoch hours) the recent counts are relative to" },
  pc: { name: "productActivity", meaning: "recent activity per product" },
  o: { name: "orders", meaning: "order statistics: count, totals, first and last order (see orders.*)" },
  e: { name: "emailEngagement", meaning: "email opens, clicks, bounces and the like" },
  a: { name: "categoryAffinity", meaning: "interest per product category, fading over 30 days" },
  rv: { name: "recentlyViewedProducts", meaning: "product ids, newest first" },
  ci: {
    name: "contentInterests",
    meaning: "per interest tag of content pages read: number of views and last view time (epoch ms)",
  },
  cv: { name: "recentlyReadContent", meaning: "content item ids read, newest first" },
  bp: { name: "boughtProducts", meaning: "product ids bought, newest order first" },
  bt: { name: "boughtProductTimes", meaning: "when each of boughtProducts was last bought (epoch ms)" },
  ct: { name: "cart", meaning: "the open cart" },
  lc: {
    name: "lifecycleStage",
    meaning: "new lead, active, repeat buyer, lapsed or churned, and since when",
  },
  c: {
    name: "consent",
    meaning: "consent per purpose: granted `g`, when `at` (epoch ms), source `src`",
  },
  s: {
    name: "suppressions",
    meaning: "reasons not to email at all (unsubscribe, bounce, complaint), with times",
  },
  dd: {
    name: "recentMessageIds",
    meaning: "hashes of recently applied event ids (to skip re-delivered events)",
  },
  sg: {
    name: "segmentMemberships",
    meaning: "segments the customer is in: entered at `e`, definition version",
  },
  rfm: { name: "rfmScores", meaning: "recency, frequency and monetary scores (1–5)" },
  sc: { name: "modelScores", meaning: "model scores by model name" },
  cb: {
    name: "pendingPredictions",
    meaning:
      "per model, the last nightly prediction (probability, when) awaiting its outcome, to check the model",
  },
  cl: {
    name: "customerCluster",
    meaning:
      "the group of similar customers (by orders, spend and engagement) the customer was placed in, and when",
  },
  ss: { name: "importedSegments", meaning: "static segments the customer was imported into" },
  tm: { name: "nextSegmentReviewAt", meaning: "when the segments are next re-evaluated (epoch ms)" },
  ob: { name: "pendingSegmentChanges", meaning: "segment entries and exits not yet published" },
  oi: { name: "pendingSends", meaning: "emails started and not yet handed on" },
  ox: {
    name: "pendingExperimentCounts",
    meaning: "experiment counts of recent writes not yet added to the totals",
  },
  xa: {
    name: "lastCampaignTouches",
    meaning: "per campaign (a `~` before an id that is a reserved name): variant and time of the last email",
  },
  gr: {
    name: "groups",
    meaning: "groups (accounts, companies): id `i`, a few traits `t`, last grouped `at`",
  },
  ai: { name: "aliases", meaning: "ids recorded by alias calls before identity resolution (not merged)" },
  u: { name: "known", meaning: "1 once an event with this customer's userId was folded" },
  im: {
    name: "identities",
    meaning:
      "the other ids merged into this customer: id `i`, how `h` (identify, alias, email), since `at` (epoch ms), " +
      "by event `m`, version of its profile merged `v`",
  },
  ix: {
    name: "identityConflicts",
    meaning:
      "links not merged: reason `r` (known, taken, limit), id `i`, its customer `o`, when `at`, event `m`",
  },
  ec: { name: "emailIdentifier", meaning: "the email address this customer holds as an identifier" },
  sk: {
    name: "clockAhead",
    meaning:
      "events that arrived with a time more than 5 minutes ahead, whose time was set to the time received: " +
      "count `n`, how far ahead the latest was `ms`, when it was received `at`",
  },
};

/** The order statistics' short keys (under `orders`) → a readable name and what it holds. Amounts: minor units. */
export const ORDER_FIELDS: Readonly<Record<string, { readonly name: string; readonly meaning: string }>> = {
  n: { name: "count", meaning: "orders placed, less those cancelled" },
  f: { name: "firstOrderAt", meaning: "time of the first order (epoch ms)" },
  l: { name: "lastOrderAt", meaning: "time of the last order (epoch ms)" },
  r: { name: "totalNet", meaning: "order totals less refunds and cancelled orders, in `currency`" },
  v: { name: "revenueNet", meaning: "order revenue (excluding shipping and tax) less refunds and cancels" },
  rs: { name: "saturated", meaning: "the totals reached the largest amount kept" },
  c: { name: "currency", meaning: "currency of the amounts (the first order's)" },
  rn: { name: "refunds", meaning: "refunds of known orders (each capped at what was left of its order)" },
  cn: { name: "cancelledOrders", meaning: "orders cancelled after they were counted" },
  ur: { name: "unmatchedRefunds", meaning: "refunds of orders not remembered: kept, counted, never booked" },
  uc: { name: "unmatchedCancels", meaning: "cancels of orders not remembered: kept, counted" },
  fx: { name: "otherCurrency", meaning: "orders and refunds in another currency, not in the amounts" },
  k: { name: "ordersByCategory", meaning: "orders that contained each category" },
  ro: {
    name: "recentOrders",
    meaning: "[order id hash, time, total, revenue, refunded, flags, refunds waiting] of the recent orders",
  },
};

/** The profile with readable field names (see {@link PROFILE_FIELDS}, {@link ORDER_FIELDS}); values as stored. */
export function readableProfile(profile: Profile): { [key: string]: JsonValue } {
  const out = renamed(profile, PROFILE_FIELDS);
  if (profile.o !== undefined) out[PROFILE_FIELDS.o?.name ?? "o"] = renamed(profile.o, ORDER_FIELDS);
  return out;
}

function renamed(
  record: object,
  fields: Readonly<Record<string, { readonly name: string }>>,
): { [key: string]: JsonValue } {
  const out: { [key: string]: JsonValue } = {};
  for (const [key, value] of Object.entries(record)) {
    const json = toJson(value);
    if (json === undefined) continue;
    out[fields[key]?.name ?? key] = json;
  }
  return out;
}

/** The guide to the readable names: readable name → what it holds (`orders.count` for the order fields). */
export function profileFieldGuide(): { [key: string]: string } {
  const guide: { [key: string]: string } = {};
  for (const field of Object.values(PROFILE_FIELDS)) guide[field.name] = field.meaning;
  const orders = PROFILE_FIELDS.o?.name ?? "o";
  for (const field of Object.values(ORDER_FIELDS)) guide[`${orders}.${field.name}`] = field.meaning;
  return guide;
}
