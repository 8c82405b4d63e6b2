import {
  affinityAt,
  cartValue,
  countInWindow,
  DAY_MS,
  emailEngagement,
  type LifecycleStage,
  lifecycleAt,
  type Profile,
} from "../profile/index.js";

/** Version of the feature layout: bump it whenever a name, its order or its meaning changes. */
export const FEATURE_VERSION = 1;

/** Days used when a customer never did the thing (never ordered, never seen): "a long time ago". */
export const NEVER_DAYS = 365;

const LIFECYCLE_STAGES: readonly LifecycleStage[] = [
  "new_lead",
  "active",
  "repeat_buyer",
  "lapsed",
  "churned",
];

/** Feature names, in the order of {@link ProfileFeatures.values}. */
export const FEATURE_NAMES: readonly string[] = [
  "days_since_last_order",
  "has_ordered",
  "days_since_last_seen",
  "days_since_first_seen",
  "log_orders",
  "log_revenue",
  "log_avg_order_value",
  "refund_share",
  "log_emails_delivered",
  "open_rate",
  "click_rate",
  "recent_open_rate",
  "recent_click_rate",
  "log_cart_value",
  "cart_lines",
  ...LIFECYCLE_STAGES.map((stage) => `lifecycle_${stage}`),
  "affinity_categories",
  "affinity_top_share",
  "affinity_concentration",
  "log_views_7d",
  "log_views_30d",
  "log_pages_7d",
  "log_pages_30d",
  "log_adds_30d",
  "log_checkouts_30d",
  "log_orders_90d",
];

/** One customer's features at one time. */
export interface ProfileFeatures {
  readonly version: typeof FEATURE_VERSION;
  readonly names: readonly string[];
  readonly values: number[];
}

/**
 * The model features of a profile at `now` (epoch ms): recency, frequency and monetary value, email
 * engagement, the open cart, lifecycle stage (one-hot), how concentrated category affinity is, and recent
 * activity. Shared by training and serving so both see exactly the same numbers; every value is finite.
 * Counts and amounts enter as `log(1 + x)` (amounts in major units) so a few heavy customers do not dominate.
 */
export function profileFeatures(profile: Profile, now: number): ProfileFeatures {
  const days = (at: number | undefined): number =>
    at === undefined ? NEVER_DAYS : Math.min(NEVER_DAYS, Math.max(0, (now - at) / DAY_MS));
  const log = (x: number): number => Math.log1p(Math.max(0, x));
  const count = (kind: Parameters<typeof countInWindow>[1], windowDays: number): number =>
    log(countInWindow(profile, kind, now - windowDays * DAY_MS, now));
  const orders = profile.o;
  const orderCount = orders?.n ?? 0;
  const revenue = Math.max(0, orders?.r ?? 0) / 100;
  const email = emailEngagement(profile);
  const stage = lifecycleAt(profile, now).s;
  const affinity = affinityAt(profile, now);
  const total = affinity.reduce((sum, { score }) => sum + score, 0);
  const shares = total > 0 ? affinity.map(({ score }) => score / total) : [];
  const values = [
    days(orders?.l),
    orderCount > 0 ? 1 : 0,
    days(profile.ls),
    days(profile.fs),
    log(orderCount),
    log(revenue),
    log(orderCount > 0 ? revenue / orderCount : 0),
    orderCount > 0 ? Math.min(1, (orders?.rn ?? 0) / orderCount) : 0,
    log(email.delivered),
    email.openRate,
    email.clickRate,
    email.recentOpenRate,
    email.recentClickRate,
    log(cartValue(profile) / 100),
    profile.ct?.i.length ?? 0,
    ...LIFECYCLE_STAGES.map((s) => (s === stage ? 1 : 0)),
    affinity.length,
    shares[0] ?? 0,
    shares.reduce((sum, share) => sum + share * share, 0),
    count("product_viewed", 7),
    count("product_viewed", 30),
    count("page", 7),
    count("page", 30),
    count("product_added", 30),
    count("checkout_started", 30),
    count("order_completed", 90),
  ];
  return {
    version: FEATURE_VERSION,
    names: FEATURE_NAMES,
    values: values.map((v) => (Number.isFinite(v) ? v : 0)),
  };
}
