/**
 * # Profile
 *
 * One compact item per customer, built by a pure fold of events ({@link foldEvents}). It is plain JSON data
 * (objects, arrays, strings, finite numbers, booleans; no `undefined`, no dates) because it is marshalled into one
 * DynamoDB item, and it stays small because DynamoDB bills writes per started 1 KB: keys are short, windows and
 * lists are bounded and pruned at fold time, and nothing grows with the customer's history except counters.
 *
 * ## Lifecycle stages
 *
 * Evaluated against `now` at fold time, and by {@link lifecycleAt} at any later time (time alone moves a
 * customer from `active` to `lapsed` to `churned`; {@link lifecycleNextChangeAt} says when).
 *
 * | stage          | condition                                                   | since                       |
 * |----------------|-------------------------------------------------------------|-----------------------------|
 * | `new_lead`     | known to Tailor, never ordered                              | first seen                  |
 * | `active`       | exactly 1 order, last order ≤ 90 days ago                   | that order                  |
 * | `repeat_buyer` | ≥ 2 orders, last order ≤ 90 days ago                        | the order that made it so   |
 * | `lapsed`       | last order more than 90 and at most 180 days ago            | last order + 90 days        |
 * | `churned`      | last order more than 180 days ago                           | last order + 180 days       |
 *
 * Thresholds: {@link LIFECYCLE_ACTIVE_DAYS} = 90, {@link LIFECYCLE_LAPSED_DAYS} = 180. Refunds do not
 * reduce the order count; a cancelled order does (see `orders.ts`).
 *
 * ## Re-delivered events
 *
 * The same `messageId` is never applied twice within {@link DEDUP_WINDOW_MS} (24 hours) of the first time it
 * was applied, measured in processing time (`now`), so a producer retrying `PutRecords` later, or the stream
 * redelivering a batch, changes nothing. The profile remembers a 48-bit hash of each applied `messageId`
 * (8 base64url characters) in hour buckets by processing hour, pruned after 25 hours: **8 bytes per
 * remembered id** ({@link dedupBytesPerId}), plus about 10 bytes per hour bucket ({@link estimateDedupBytes}).
 * A customer with 100 events a day carries about 1 KB of dedup memory. The memory is capped at
 * {@link DEDUP_MAX_IDS} ids (32 KB): only a customer sending more events than that within 25 hours (a bot)
 * has its oldest ids forgotten early. Duplicates inside one batch are skipped too. A fold whose events were all duplicates reports `changed: false`, so the ingest skips the write.
 * An `Order Completed` is also recognised by its `order_id` among the {@link RECENT_ORDERS_MAX} orders remembered
 * (`o.ro`): re-sent under a new `messageId`, it counts nowhere again (see `orders.ts`).
 *
 * ## Order of events
 *
 * A fold sorts its events by time, so an out-of-order batch folds exactly like the sorted batch; events with
 * the same time fold in the order the producer sent them (stream order, then position inside an aggregated or
 * array record), so `Product Added` then `Order Completed` in one millisecond leaves the cart empty. Events
 * older than what an earlier fold already applied are still applied: counters and time buckets add up in any
 * order, "first" times take the minimum, "last" times the maximum, category affinity decays each
 * event from its own time. What is a snapshot follows the newest time: traits from an older event only fill
 * traits that are missing; an older cart event is ignored by the cart (the cart keeps its `u` time); an older
 * product view goes to the end of the recently-viewed list if it is absent; consent and suppression keep the
 * newest decision.
 *
 * ## Bounds
 *
 * Every number the fold stores is an exact integer or a double DynamoDB stores as it is, so the item always
 * marshals: amounts are bounded per event by validation (`MONEY_MINOR_MAX`), revenue saturates at
 * {@link REVENUE_MINOR_MAX}, counters grow by one per event, times lie between 2000 and the time received plus
 * 5 minutes (a time further ahead is clamped and counted in `sk`). Map keys that come from data never collide
 * with object internals: campaign ids are stored with `toStoredKey`, other data keys that are not `isSafeKey`
 * are dropped, and readers use own entries only (`ownEntry`).
 *
 * ## Size
 *
 * Measured by `test/domain/profile.test.ts`: a typical profile (identified, two browsing sessions, one order,
 * three emails, consent) is about 900 bytes as a DynamoDB item (about 1.35 KB of JSON), one write unit; a heavy
 * one (40 events a day, every day for a year) stays about 5.6 KB as an item, and stops growing: counters grow
 * in digits only, everything else is bounded and pruned. Of that, each remembered order (`o.ro`, at most
 * {@link RECENT_ORDERS_MAX}) is about 36 bytes.
 *
 * @module
 */
import type { ExperimentIncrement } from "../analytics/experiment-increments.js";
import type { SendIntent } from "../campaigns/contracts.js";
import type { ConsentPurpose, Scalar } from "../events/index.js";
import type {
  ClusterAssignment,
  ModelScore,
  RfmScores,
  SegmentMembership,
  SegmentTransition,
} from "../segments/contracts.js";
import type { KindCode } from "./kind-codes.js";

/** Item layout version, for migrating old items on read. */
export const PROFILE_LAYOUT_VERSION = 1;

/**
 * One customer's profile. Short keys keep the item small; every field is documented here. (A type alias, not an
 * interface, so it is assignable to `Record<string, unknown>` for marshalling.)
 */
export type Profile = {
  /** The customer: `userId ?? anonymousId` of its events; the item's key. */
  customerId: string;
  /** Optimistic-lock version: the store bumps it on each write, the fold never changes it. */
  version: number;
  /** Item layout version ({@link PROFILE_LAYOUT_VERSION}). */
  sv: number;
  /** First seen: earliest event time folded (epoch ms). */
  fs?: number;
  /** Last seen: latest time of an event the customer did (everything but `Email Delivered`/`Bounced`). */
  ls?: number;
  /** Traits, newest wins. */
  t?: ProfileTraits;
  /** Time of the newest event whose traits were folded: older events only fill missing traits. */
  tu?: number;
  /** Statistics per event kind, keyed by {@link KindCode}: all-time count, last time, recent buckets. */
  k: Partial<Record<KindCode, KindStats>>;
  /** All-time counts of custom track events by name: at most {@link CUSTOM_NAMES_MAX} names, then `other`. */
  x?: Record<string, number>;
  /** Anchor of the recent buckets: the epoch hour (ms / 3 600 000) that offset 0 of every series stands for. */
  wa?: number;
  /** Recent per-product activity, most recently active first, at most {@link PRODUCT_ACTIVITY_MAX}. */
  pc?: ProductActivity[];
  /** Orders: the RFM aggregates. */
  o?: OrderStats;
  /** Email engagement beyond the per-kind counters (`k.ed`, `k.eo`, `k.ec`, `k.eb`, `k.ep`). */
  e?: EmailStats;
  /** Category affinity, decaying with a 30-day half-life. */
  a?: Affinity;
  /**
   * When the customer opens email: the first open of each send counted in its local hour (the `timezone` trait,
   * else UTC), decaying with a 60-day half-life; read by `sendTime: best` (see `open-hours.ts`). About 10 bytes per hour with opens.
   */
  oh?: OpenHours;
  /**
   * Content interests: interest tag (lower case) → `[views, last view time]`, from content pages viewed (a
   * `page` call with `properties.content_id` or `keywords`: the keywords and the page's category are the tags).
   * At most {@link CONTENT_INTERESTS_MAX} tags: a new tag pushes out the least recently viewed. See
   * `content-views.ts`.
   */
  ci?: Record<string, [number, number]>;
  /** Content item ids viewed (`properties.content_id`), newest first, de-duplicated, at most {@link CONTENT_VIEWED_MAX}. */
  cv?: string[];
  /** Recently viewed product ids, newest first, de-duplicated, at most 10. */
  rv?: string[];
  /** Product ids the customer bought, newest order first, de-duplicated, at most {@link BOUGHT_PRODUCTS_MAX}. */
  bp?: string[];
  /**
   * When each product of `bp` was last bought (epoch ms): `bt[i]` is for `bp[i]`, so it is bounded as `bp` is
   * (about 9 bytes an entry). Read it with `boughtTimes`: entries a profile folded before `bt` existed lack it and
   * count as bought at the last order (`o.l`), never earlier, so a replenishable product is never offered early.
   */
  bt?: number[];
  /** The open cart. */
  ct?: Cart;
  /** Lifecycle stage, as of the last fold. */
  lc: Lifecycle;
  /** Consent per purpose. */
  c?: Partial<Record<ConsentPurpose, ConsentState>>;
  /** Reasons not to send email at all. */
  s?: Suppressions;
  /** Dedup memory: processing hour (epoch hours, as text) → concatenated 8-character messageId hashes. */
  dd: Record<string, string>;
  /**
   * Segment memberships by segment id: when the customer entered and under which definition version. Written
   * by segment evaluation, never by the fold (which carries it through untouched).
   */
  sg?: Record<string, SegmentMembership>;
  /** RFM scores 1–5, written by the batch path from population quintiles. Carried through by the fold. */
  rfm?: RfmScores;
  /** Model scores by model name (e.g. `purchase_30d`, `churn`), written by the rescoring path. */
  sc?: Record<string, ModelScore>;
  /**
   * Live calibration: per propensity model, the nightly prediction waiting for its outcome (about 35–45 bytes a
   * model), written by the rescoring path (`shared/domain/models/live-calibration.ts`). Erased with the profile.
   */
  cb?: Record<string, PendingPrediction>;
  /**
   * Customer cluster (k-means over RFM and engagement), written by the rescoring path; carried through by the
   * fold. Not read for a customer who withdrew profiling consent.
   */
  cl?: ClusterAssignment;
  /** Ids of the static segments the customer was imported into (`tailor segments import`). */
  ss?: string[];
  /** Due time (epoch ms) of the customer's pending segment timer, if one is scheduled. */
  tm?: number;
  /** Outbox: segment transitions recorded with this item and not yet published. */
  ob?: SegmentTransition[];
  /**
   * Outbox: send intents the events of this item's last write started (campaign journeys), written with the item
   * and handed to the sends queue or send timers right after; carried through by the fold.
   */
  oi?: SendIntent[];
  /**
   * Outbox: experiment counter increments of this item's writes, not yet added to the counters. Written with the
   * item that caused them, then added to the counters once per entry id and cleared: a crash delays them, never
   * loses or doubles them.
   */
  ox?: CounterOutboxEntry[];
  /**
   * Last touch per campaign, for attributing orders to experiments: campaign id → [variant, time of the last
   * delivery or click]. At most {@link CAMPAIGN_TOUCHES_MAX} campaigns, the oldest touch dropped first. Keys are
   * campaign ids as stored by `toStoredKey` (`~constructor` for `constructor`): read them with `attributedTouch`.
   */
  xa?: Record<string, [string, number]>;
  /** Events whose time was clamped to the time received because the sender's clock was ahead. */
  sk?: ClockSkew;
  /** Groups (`group` calls: accounts, companies, teams), most recently grouped first, at most {@link GROUPS_MAX}. */
  gr?: GroupRef[];
  /**
   * Other ids the customer was known by before identity resolution (`previousId` of `alias` calls, recorded only).
   * Kept on older profiles and shown; new links go to `im`.
   */
  ai?: string[];
  /** Set once an event with a `userId` equal to `customerId` was folded: a known customer, never merged away. */
  u?: 1;
  /**
   * The identity graph: the other ids merged into this customer (anonymous ids, aliased ids, profiles found by a
   * shared email), oldest first, at most {@link IDENTITY_IDS_MAX}. Events sent under any of them fold here.
   */
  im?: IdentityLink[];
  /** Links the merge rules refused (see the README's identity rules), newest first, at most {@link IDENTITY_CONFLICTS_MAX}. */
  ix?: IdentityConflict[];
  /** The email address whose index entry names this customer (the email identifier it holds). */
  ec?: string;
};

/** One id merged into a customer: which, how, since when, from which event. */
export type IdentityLink = {
  /** The id (an `anonymousId`, an alias's `previousId`, or the id of a profile found by a shared email). */
  i: string;
  /** How it joined: an event carrying both ids, an `alias` call, or an email both profiles held. */
  h: IdentityLinkKind;
  /** Time of the linking event (epoch ms). */
  at: number;
  /** `messageId` of the linking event. */
  m: string;
  /** Version of the id's profile that was merged in (0: the id had no profile of its own). */
  v: number;
};

export type IdentityLinkKind = "identify" | "alias" | "email";

/** A link the identity rules refused: recorded, shown by `tailor explain`, never merged. */
export interface IdentityConflict {
  /**
   * Why: `known` (the id is another known customer: two `userId`s are never merged), `taken` (the id was
   * merged into another customer first, and stays there), `limit` (this customer already has
   * {@link IDENTITY_IDS_MAX} ids).
   */
  r: "known" | "taken" | "limit";
  /** The id that was not merged. */
  i: string;
  /** The customer it belongs to, for `known` and `taken`. */
  o?: string;
  /** Time of the event (epoch ms). */
  at: number;
  /** `messageId` of the event. */
  m: string;
}

/** Most ids merged into one customer (`im`): a shared device or a bot cannot glue more people together. */
export const IDENTITY_IDS_MAX = 16;
/** Most refused links a profile remembers (`ix`). */
export const IDENTITY_CONFLICTS_MAX = 5;

/** A group the customer belongs to. */
export interface GroupRef {
  /** `groupId`. */
  i: string;
  /** A few scalar group traits (`name` first), as of the newest `group` call for this group. */
  t?: Record<string, Scalar>;
  /** Time of the newest `group` call for this group (epoch ms). */
  at: number;
}

/**
 * One write's experiment counter increments, waiting in the profile's outbox `ox`. `id` is the version of the write
 * that made them: with the customer it names the increments, so adding them again adds nothing.
 */
export interface CounterOutboxEntry {
  id: number;
  i: ExperimentIncrement[];
}

/**
 * Events that arrived with a time more than `FUTURE_TOLERANCE_MS` (5 minutes) ahead of the time received: their
 * time was set to the time received. Three numbers, so the item stays small.
 */
export interface ClockSkew {
  /** How many such events were folded, all time. */
  n: number;
  /** How far ahead (ms) the sender's clock was on the latest of them. */
  ms: number;
  /** When the latest of them was received (epoch ms): its folded time. */
  at: number;
}

/**
 * Ceiling of stored revenue (`o.r`), in minor units: 9 × 10^15, just under 2^53. Each order carries at most
 * `MONEY_MINOR_MAX` (10^15), so a customer needs ten orders of the largest amount to reach it; past it revenue
 * stays at the ceiling (and `o.rs` is set) and every later order is still counted.
 */
export const REVENUE_MINOR_MAX = 9e15;

/** Campaigns whose last touch a profile remembers. */
export const CAMPAIGN_TOUCHES_MAX = 5;

/** Traits as the templates see them (snake_case merge fields). */
export interface ProfileTraits {
  /** Lower-cased email address. */
  email?: string;
  first_name?: string;
  last_name?: string;
  /** `YYYY-MM-DD`. */
  birthday?: string;
  country?: string;
  city?: string;
  region?: string;
  /** IANA time zone; from traits, or from the device context when no trait gave one. */
  timezone?: string;
  /** BCP 47 locale; from traits, or from the device context when no trait gave one. */
  locale?: string;
  phone?: string;
  gender?: string;
  /** Custom scalar traits: at most {@link CUSTOM_TRAITS_MAX} keys (new keys beyond are dropped). */
  x?: Record<string, Scalar>;
}

/** What the profile keeps per event kind. */
export interface KindStats {
  /** All-time count. */
  n: number;
  /** Latest event time of this kind (epoch ms). */
  l: number;
  /** Hourly counts, newest first from the anchor hour `wa` (see {@link CountSeries}); 49 buckets. */
  h?: CountSeries;
  /** Daily (UTC) counts, newest first from the anchor's day; 91 buckets. */
  d?: CountSeries;
}

/**
 * Counts per time bucket, newest first, as comma-separated integers: a positive number is one bucket's count,
 * `-k` stands for `k` empty buckets, and trailing empty buckets are dropped. `"2,-1,1"` is 2 in the newest
 * bucket, 0 in the next, 1 in the third; `"-20,1"` is one event 20 buckets ago. Text keeps the item small.
 */
export type CountSeries = string;

/** Hourly counts of one product, newest first from the anchor hour `wa`; one series per product kind. */
export interface ProductActivity {
  /** Product id. */
  i: string;
  /** Category, as last seen on this product. */
  k?: string;
  /** Views (`Product Viewed`). */
  pv?: CountSeries;
  /** Adds to cart (`Product Added`). */
  pa?: CountSeries;
  /** Removals from cart (`Product Removed`). */
  pr?: CountSeries;
  /** Checkouts that listed it (`Checkout Started`). */
  ck?: CountSeries;
  /** Orders that listed it (`Order Completed`). */
  oc?: CountSeries;
}

/** RFM aggregates. Average order value is `r / n` ({@link averageOrderValue}). */
export interface OrderStats {
  /** Number of orders. */
  n: number;
  /** First order time (epoch ms). */
  f?: number;
  /** Last order time (epoch ms). */
  l?: number;
  /**
   * Revenue in minor units of `c`: order totals minus refunds (each capped at what is left of its order) and
   * cancelled orders, kept within 0 and {@link REVENUE_MINOR_MAX} so it is always an exact integer DynamoDB
   * stores (`rs` says when it saturated). See `orders.ts`.
   */
  r: number;
  /** Set once revenue hit ±{@link REVENUE_MINOR_MAX}: `r` is no longer the exact sum from then on. */
  rs?: true;
  /** Currency of `r`: the currency of the first amount folded. */
  c?: string;
  /**
   * Net revenue in minor units of `c`: Segment's `revenue` of each order (excluding shipping and tax; the
   * order's total when it has none), minus its share of refunds, saturating like `r`. Absent on profiles folded
   * before it existed: the first amount folded then starts it from `r`. RFM reads it under the `revenue` basis.
   */
  v?: number;
  /** Number of refunds matched to a remembered order (booked, capped at what was left of the order). */
  rn?: number;
  /** Orders cancelled after they were booked: their count and amounts were taken back out. */
  cn?: number;
  /**
   * Refunds naming an order the profile does not remember (older than the {@link RECENT_ORDERS_MAX} orders it
   * keeps, or not arrived yet): kept and counted here, never booked. A refund that arrives before its order is
   * waiting: when the order arrives it is applied and leaves this count.
   */
  ur?: number;
  /** Cancels naming an order the profile does not remember, counted the same way (and waiting the same way). */
  uc?: number;
  /** Orders and refunds whose amount was in another currency than `c`, so not in `r`. */
  fx?: number;
  /**
   * The most recent orders (by order time, newest first), at most {@link RECENT_ORDERS_MAX}, so a refund or a
   * cancel can find the order it names: see {@link RememberedOrder}.
   */
  ro?: RememberedOrder[];
  /**
   * All-time number of orders that contained the category, by category (an order with two lines of one
   * category counts once). At most {@link ORDER_CATEGORIES_MAX} categories: the first ones seen are kept, and
   * orders in other categories are not counted by category.
   */
  k?: Record<string, number>;
}

/**
 * One remembered order, as a tuple to keep the item small (about 40 bytes as an item):
 * `[id, at, total, revenue, refunded, flags, waiting]`.
 *
 * - `id`: 48-bit hash of the `order_id` (8 base64url characters, as for the dedup memory).
 * - `at`: the order's time (epoch ms); until the order arrives, the time of the first refund or cancel naming it.
 * - `total`, `revenue`: what the order booked in `o.r` and `o.v` (minor units; 0 until it arrives).
 * - `refunded`: the part of `total` refunded so far; until the order arrives, the sum of the waiting refunds.
 * - `flags`: {@link ORDER_BOOKED} | {@link ORDER_CANCELLED} | {@link ORDER_FULL_REFUND} | {@link ORDER_OTHER_CURRENCY}.
 * - `waiting`: refunds that arrived before the order (counted in `o.ur` until it arrives).
 */
export type RememberedOrder = [
  id: string,
  at: number,
  total: number,
  revenue: number,
  refunded: number,
  flags: number,
  waiting: number,
];

/** {@link RememberedOrder} flag: the `Order Completed` arrived (once: a repeated one books nothing). */
export const ORDER_BOOKED = 1;
/** {@link RememberedOrder} flag: the `Order Cancelled` arrived (once: a repeated one changes nothing). */
export const ORDER_CANCELLED = 2;
/** {@link RememberedOrder} flag: a full refund (no amount, no lines) arrived before the order. */
export const ORDER_FULL_REFUND = 4;
/** {@link RememberedOrder} flag: the order was in another currency than `o.c`, so not in the amounts. */
export const ORDER_OTHER_CURRENCY = 8;

/** Email engagement the per-kind counters cannot tell. */
export interface EmailStats {
  /** Sends opened at least once (a click counts as an open), all time. */
  uo: number;
  /** Sends clicked at least once, all time. */
  uc: number;
  /**
   * The last {@link EMAIL_RING_SIZE} sends, oldest first: per send, the 8-character hash of the email's
   * message id and one digit of flags (1 opened, 2 clicked, 3 both, 0 neither).
   */
  r: string;
}

/** Category affinity: scores decayed to one common time, so one time serves every category. */
export interface Affinity {
  /** Time the scores are valid at (epoch ms); decay them to any later time with the half-life. */
  t: number;
  /** Score per category (views 1, adds 3, purchases 5, halved every 30 days), at most 10 categories. */
  s: Record<string, number>;
}

/** Open counts by local hour of the day, decayed to one common time (like {@link Affinity}). */
export interface OpenHours {
  /** Time the counts are valid at (epoch ms). */
  t: number;
  /** Counts by local hour (`"0"`–`"23"`), 3 decimals; hours without opens (or below 0.01) are absent. */
  h: Record<string, number>;
}

/** The open cart. */
export interface Cart {
  /** Time of the newest event applied to the cart (epoch ms): older cart events are ignored. */
  u: number;
  /** Currency of the item prices. */
  c: string;
  /** Items, oldest first, at most {@link CART_ITEMS_MAX}. */
  i: CartItem[];
}

/** A cart line. */
export interface CartItem {
  /** Product id. */
  p: string;
  /** Quantity, 1 to `QUANTITY_MAX` (1 000 000): adds of one product saturate there. */
  q: number;
  /** Unit price in minor units of the cart currency; absent when unknown or in another currency. */
  m?: number;
  /** Category. */
  k?: string;
}

/** Lifecycle stages, in the order a customer usually moves through them. */
export type LifecycleStage = "new_lead" | "active" | "repeat_buyer" | "lapsed" | "churned";

/** A lifecycle stage and when the customer entered it. */
export interface Lifecycle {
  /** Stage. */
  s: LifecycleStage;
  /** Since when (epoch ms). */
  at: number;
}

/** The newest consent decision for one purpose. */
export interface ConsentState {
  /** Granted. */
  g: boolean;
  /** When (epoch ms). */
  at: number;
  /** Where the decision came from (e.g. `signup_form`, `unsubscribe`). */
  src?: string;
}

/** Why not to email this customer; soft bounces never suppress. */
export interface Suppressions {
  /** A permanent bounce; cleared when the email trait changes to another address. */
  hard_bounce?: Suppression;
  /** A spam complaint. */
  complaint?: Suppression;
  /** Unsubscribed from marketing email; cleared by a newer marketing consent. */
  unsubscribe?: Suppression;
  /** A permanent SMS failure (invalid or unreachable number); cleared when the phone trait changes. */
  sms_failed?: Suppression;
}

/** One suppression: reason and time (epoch ms). */
export interface Suppression {
  r: string;
  at: number;
}

/** Most custom event names counted one by one; the rest count under {@link OTHER_EVENT_NAME}. */
export const CUSTOM_NAMES_MAX = 50;
/** Longest custom event name counted by name; longer names count under {@link OTHER_EVENT_NAME}. */
export const CUSTOM_NAME_KEY_MAX = 64;
/** Name under which custom events beyond {@link CUSTOM_NAMES_MAX} are counted. */
export const OTHER_EVENT_NAME = "other";
/** Most custom traits kept. */
export const CUSTOM_TRAITS_MAX = 20;
/** Most products with recent per-product counts. */
export const PRODUCT_ACTIVITY_MAX = 20;
/** Most cart lines. */
export const CART_ITEMS_MAX = 20;
/** Most interest tags a profile keeps from content views (`ci`). */
export const CONTENT_INTERESTS_MAX = 12;
/** Longest interest tag kept (`ci`); longer tags are left out. */
export const CONTENT_TAG_MAX = 40;
/** Most content items remembered as viewed (`cv`). */
export const CONTENT_VIEWED_MAX = 5;
/** Longest content id remembered (`cv`); a longer one still counts its tags. */
export const CONTENT_ID_MAX = 64;
/** Most recently viewed products kept. */
export const RECENTLY_VIEWED_MAX = 10;
/** Most bought products remembered (`bp`), so recommendations leave out what the customer already has. */
export const BOUGHT_PRODUCTS_MAX = 30;
/**
 * Most orders remembered for refunds and cancels (`o.ro`): the newest by order time are kept. A refund or a
 * cancel of an older order is counted in `o.ur` / `o.uc` and books nothing.
 */
export const RECENT_ORDERS_MAX = 16;
/** Most categories with per-category order counts (`o.k`). */
export const ORDER_CATEGORIES_MAX = 20;
/** Most groups a profile keeps (`gr`); the least recently grouped is dropped first. */
export const GROUPS_MAX = 5;
/** Sends remembered for recent open and click rates. */
export const EMAIL_RING_SIZE = 20;

/** A profile for a customer Tailor has not seen yet: no data, lifecycle `new_lead` since `now`. */
export function emptyProfile(customerId: string, now: number): Profile {
  return {
    customerId,
    version: 0,
    sv: PROFILE_LAYOUT_VERSION,
    k: {},
    lc: { s: "new_lead", at: now },
    dd: {},
  };
}

/**
 * A propensity model's prediction for the customer, kept until its horizon has passed and then compared with what
 * happened (live calibration).
 */
export type PendingPrediction = {
  /** The probability predicted, to 4 decimals. */
  p: number;
  /** When it was predicted (epoch ms). */
  at: number;
  /** 1 once a rescoring saw the model's event (an order; the customer's own activity) within the horizon. */
  h?: 1;
  /** The prediction resolved by the run that wrote this one: `[run start, probability, outcome 0|1]`. */
  r?: [number, number, 0 | 1];
};
