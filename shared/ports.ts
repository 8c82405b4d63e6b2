import type { ExperimentIncrement, ExperimentMetric } from "./domain/analytics/index.js";
import type { LedgerEntry, SendIntent } from "./domain/campaigns/contracts.js";
import type { LearnedOpenHourPrior } from "./domain/campaigns/open-hour-prior.js";
import type { CatalogChange, ContentItem, Watch, Watcher } from "./domain/catalog/index.js";
import type { ClusterModel } from "./domain/clusters/index.js";
import type { ArchivedRecord, ArchiveLineError } from "./domain/events/archived-record.js";
import type { CurrentModel, ModelVersionRecord, RegistryModel } from "./domain/models/registry.js";
import type { JsonValue } from "./domain/privacy/json-value.js";
import type { CounterOutboxEntry, IdentityLink, Profile } from "./domain/profile/index.js";
import type { RfmThresholds, SegmentTransition } from "./domain/segments/contracts.js";
import type { ShortLink } from "./domain/sms/short-links.js";
import type { WriteKeyRecord } from "./domain/write-keys/write-key.js";

/** Where profiles live: one compact item per customer, written with an optimistic version check. */
export interface ProfileStore {
  /** Loads the profiles that exist among `customerIds` (absent customers are simply missing from the map). */
  getMany(customerIds: readonly string[]): Promise<Map<string, StoredProfile>>;
  /** Loads one profile, or `undefined` when the customer is unknown. */
  get(customerId: string): Promise<StoredProfile | undefined>;
  /**
   * Writes `profile` as the next version of `previous` if the stored version is still `previous`'s
   * (`undefined`: the item must not exist yet). Resolves `{ ok: false }` on a version conflict; throws a
   * retryable error on throttling or an outage.
   */
  put(profile: Profile, previous: StoredProfile | undefined): Promise<PutOutcome>;
}

/** A profile as loaded, with the size of its stored item (write units depend on the larger of before and after). */
export interface StoredProfile {
  readonly profile: Profile;
  readonly itemBytes: number;
}

export type PutOutcome =
  | { readonly ok: true; readonly version: number; readonly itemBytes: number; readonly writeUnits: number }
  | { readonly ok: false; readonly reason: "conflict" };

/**
 * One record as the stream delivered it, before any decoding; or one user record of a KPL-aggregated record
 * (then `subSequenceNumber` is its position in the aggregate and the sequence number is the aggregate's).
 */
export interface StreamRecord {
  readonly sequenceNumber: string;
  /** Position inside a KPL-aggregated record; undefined for a plain record. */
  readonly subSequenceNumber?: number;
  /** The partition key (a user record's own, from the aggregate's table). */
  readonly partitionKey: string;
  readonly shardId: string | undefined;
  readonly data: Uint8Array;
  /** Epoch ms at which the stream accepted the record. */
  readonly approximateArrivalTimestamp: number;
  /**
   * Why the record could not be opened at all (a KPL-aggregated record whose body is corrupt): it is then
   * quarantined whole with this reason.
   */
  readonly unreadable?: string;
}

/** A record that could not be understood, kept whole with the reason, so nothing is ever silently lost. */
export interface QuarantinedRecord {
  readonly reason: string;
  readonly issues: readonly { readonly path: string; readonly rule: string; readonly message: string }[];
  readonly source: "kinesis";
  readonly shardId: string | undefined;
  readonly sequenceNumber: string;
  /** The user record's position inside a KPL-aggregated record, when it came from one. */
  readonly subSequenceNumber?: number;
  /** The event's index in a record holding a JSON array of events, when the record held one. */
  readonly elementIndex?: number;
  readonly partitionKey: string;
  readonly approximateArrivalTimestamp: number;
  readonly raw: Uint8Array;
  readonly receivedAt: number;
}

/** Storage for malformed records (an S3 bucket on AWS and on the local stack). */
export interface Quarantine {
  put(record: QuarantinedRecord): Promise<void>;
}

/** The only source of "now" outside tests; the domain takes time as a parameter. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A slice of a parallel scan: DynamoDB's `Segment` / `TotalSegments`, so batch jobs can fan out. */
export interface ScanSlice {
  /** 0-based slice number, below `totalSegments`. */
  readonly segment: number;
  readonly totalSegments: number;
}

/** Reading every profile, slice by slice (the batch path: recount, RFM, re-evaluation). */
export interface ProfileScan {
  /** Every profile in the slice, page by page; strongly consistent where the store can be. */
  scan(slice: ScanSlice): AsyncIterable<StoredProfile>;
}

/** One page of a scan slice, and where the next page starts (absent: the slice is done). */
export interface ProfilePage {
  readonly profiles: readonly StoredProfile[];
  /** Opaque; pass it back to read on. */
  readonly cursor?: string;
}

/** Reading a scan slice a page at a time from a cursor: a batch job that stops within a time budget and resumes. */
export interface ProfilePages {
  /**
   * At most about `limit` items of the slice from `cursor` (the start when absent); eventually consistent unless
   * `consistent` (half the read units: the fan-out's reads, which dispatch re-checks at send time). A page may hold
   * no profile and still have a cursor.
   */
  page(
    slice: ScanSlice,
    options: { readonly limit: number; readonly cursor?: string; readonly consistent?: boolean },
  ): Promise<ProfilePage>;
  /** The table's approximate number of items (DynamoDB refreshes it about every six hours). */
  approximateCount(): Promise<number>;
}

/** The result of clearing published transitions from a profile's outbox. */
export type ClearOutboxOutcome =
  | { readonly ok: true; readonly version: number; readonly writeUnits: number }
  | { readonly ok: false; readonly reason: "conflict" };

/** What is left in a profile's outboxes after publishing. */
export interface OutboxRemainder {
  /** Transitions not yet published (`ob`). */
  readonly transitions: readonly SegmentTransition[];
  /** Send intents not yet handed to the queue or the timers (`oi`). */
  readonly intents: readonly SendIntent[];
  /** Experiment counter increments not yet added to the counters (`ox`). */
  readonly counts: readonly CounterOutboxEntry[];
}

/** Removing published transitions (`ob`) and send intents (`oi`) from the outboxes of a stored profile. */
export interface OutboxStore {
  /**
   * Replaces both outboxes of `customerId` with `remaining` (removing an empty one) and bumps the version, if the
   * stored version is still `version`. A conflict leaves the outboxes as they are: their entries are published
   * again by the next writer (at least once; consumers de-duplicate on the transition id and the send key).
   */
  clearOutbox(
    customerId: string,
    version: number,
    remaining: OutboxRemainder,
    itemBytes: number,
  ): Promise<ClearOutboxOutcome>;
}

/** A timer that is due: re-evaluate this customer's segments. */
export interface DueTimer {
  readonly customerId: string;
  /** When it was due (epoch ms). */
  readonly dueAt: number;
}

/** Due-time timers: "re-evaluate customer X at time T", polled every minute. */
export interface Timers {
  /**
   * Records a timer (idempotent: the same customer and time is one timer); resolves the number of writes it
   * took (the store may keep an index beside the timer).
   */
  schedule(customerId: string, dueAt: number): Promise<number>;
  /** Up to `limit` timers due at or before `now`, oldest minute first. */
  due(now: number, limit: number): Promise<DueTimer[]>;
  /** Deletes a fired timer. */
  complete(timer: DueTimer): Promise<void>;
}

/** One change of a segment's size, caused by one customer (the store picks the counter shard from it). */
export interface SizeDelta {
  readonly segmentId: string;
  readonly customerId: string;
  /** +1 for an entry, -1 for an exit. */
  readonly delta: number;
}

/** A segment's size as kept by the counters. */
export interface SegmentSize {
  readonly segmentId: string;
  /** Sum of the shards: exact right after a recount, then moved by every transition. */
  readonly size: number;
  /** When the last recount wrote the exact size (epoch ms), if one ever ran. */
  readonly countedAt: number | undefined;
}

/**
 * The links of texts behind Tailor's short links (`<api>/l/<token>`): written by dispatch before the text goes
 * out, read by the API's redirect.
 */
export interface ShortLinkStore {
  /** Stores the links (idempotent: a retried send writes the same ids with the same targets). */
  put(links: readonly ShortLink[]): Promise<void>;
  /** The link stored under `id`, or undefined (never stored, or expired). */
  get(id: string, now: number): Promise<ShortLink | undefined>;
}

/**
 * The population's open-hour prior of `sendTime: best`, learned from every profile's opens by the segment jobs'
 * `rfm` run (one item per shop, replaced by each run).
 */
export interface OpenHourPriorStore {
  /** The latest learned prior, or undefined when no run has stored one. */
  get(): Promise<LearnedOpenHourPrior | undefined>;
  put(prior: LearnedOpenHourPrior): Promise<void>;
}

/** Segment bookkeeping: sharded size counters and the population's RFM thresholds. */
export interface SegmentStore {
  /** The stored RFM thresholds, if a batch run computed them. */
  rfmThresholds(): Promise<RfmThresholds | undefined>;
  putRfmThresholds(thresholds: RfmThresholds): Promise<void>;
  /**
   * Adds the deltas to the counters, summed per counter shard first (one write per shard touched, none for a
   * sum of 0); resolves the number of counter writes made.
   */
  addToSizes(deltas: readonly SizeDelta[]): Promise<number>;
  /** Sizes of the given segments (0 for a segment never counted). */
  sizes(segmentIds: readonly string[]): Promise<SegmentSize[]>;
  /** Writes exact sizes: one shard holds the count and `countedAt`, every other shard 0. */
  putExactSizes(sizes: ReadonlyMap<string, number>, countedAt: number): Promise<void>;
}

/**
 * The segment membership index: a segment's members read in proportion to the segment's size (not a scan of
 * the profile table), split into `parts` disjoint parts that can be read in parallel.
 */
export interface SegmentMemberIndex {
  /** One page of the members of `segmentId` in part `part` (0-based) of `parts`; pass the returned cursor on. */
  page(
    segmentId: string,
    options: {
      readonly part: number;
      readonly parts: number;
      readonly limit: number;
      readonly cursor?: string;
    },
  ): Promise<{ readonly customerIds: readonly string[]; readonly cursor?: string }>;
}

/**
 * Keeps the segment membership index ({@link SegmentMemberIndex}) in step with the profiles: written from the
 * profile's outbox flush, with the state of the memberships at the profile's version, so entries converge to the
 * newest version whatever order redeliveries and racing writers arrive in.
 */
export interface SegmentMemberWriter {
  /**
   * Records, for each segment of `memberships`, whether `customerId` is a member as of the profile's `version`.
   * A write for a version at or below the stored one changes nothing (redelivery, a slower racing writer).
   * Resolves the number of writes made (conditional writes that lost included).
   */
  sync(customerId: string, version: number, memberships: ReadonlyMap<string, boolean>): Promise<number>;
  /** Removes the customer from every segment's index for good (erasure); resolves the writes made. */
  erase(customerId: string): Promise<number>;
}

/**
 * When the membership index ({@link SegmentMemberIndex}) was last rebuilt from the whole profile table (a
 * `reindex` run finished, and no import of history changed memberships since it started). Until then it holds only
 * what outbox flushes wrote: not the members of profiles that existed before it, nor memberships decided by imported
 * history alone, so a reader must not take it as the audience.
 */
export interface MemberIndexStatus {
  /** Epoch ms the latest finished rebuild started at (it covers every profile written before); undefined: never. */
  rebuiltAt(): Promise<number | undefined>;
  /** Records that a rebuild started at `startedAt` finished at `finishedAt` (keeps the latest start). */
  markRebuilt(startedAt: number, finishedAt: number): Promise<void>;
  /**
   * Records that, at `at`, a write changed memberships without writing the index (imported history): a rebuild
   * that started before then no longer counts, until one started later finishes.
   */
  invalidate(at: number): Promise<void>;
}

/** A scheduled campaign's fan-out run: one per campaign and occurrence (the schedule tick). */
export interface FanOutRunKey {
  readonly campaignId: string;
  /** ISO time of the tick: the journeys' occurrence. */
  readonly occurrence: string;
}

/** Where a fan-out reads its audience: the segment membership index, or a scan of the profile table. */
export type FanOutSource = "index" | "scan";

/** What a fan-out run counts. */
export interface FanOutCounts {
  /** Profiles (scan) or index entries (index) read. */
  readonly read: number;
  /** Audience members found. */
  readonly members: number;
  /** Send intents handed to the sends queue. */
  readonly enqueued: number;
  /** Send intents set as send timers (later steps). */
  readonly timed: number;
}

/** A run's plan, as its first start recorded it (a restart keeps it, so parts and checkpoints agree). */
export interface FanOutRunPlan extends FanOutRunKey {
  readonly source: FanOutSource;
  /** Why the run reads from `source` (the index only once rebuilt, for an evaluated segment). */
  readonly sourceReason?: string;
  /** The campaign's audience segment. */
  readonly segmentId: string;
  readonly parts: number;
  /** Epoch ms of the first start. */
  readonly startedAt: number;
}

/** Where one part of a run stands. */
export interface FanOutPartState {
  /** Pages checkpointed so far: the next checkpoint must come from this step. */
  readonly step: number;
  /** Where the next page starts (absent: the part's start, or done). */
  readonly cursor?: string;
  readonly done: boolean;
}

/** A run with its parts summed. */
export interface FanOutRun extends FanOutRunPlan {
  /** Executions that started this occurrence (more than 1: restarted). */
  readonly starts: number;
  /** Epoch ms the last execution finished, if one did. */
  readonly finishedAt?: number;
  readonly counts: FanOutCounts;
  readonly partsDone: number;
  /** Errors the parts met (the first few), and how many in all. */
  readonly errors: readonly string[];
  readonly errorCount: number;
}

/** A page of a part checkpointed: from `step` to `step + 1`, the cursor it reached (or done), its counts. */
export interface FanOutCheckpoint {
  readonly step: number;
  readonly cursor?: string;
  readonly done: boolean;
  readonly counts: FanOutCounts;
}

/** The progress records of fan-out runs: counts added by each checkpoint, exactly once. */
export interface FanOutRuns {
  /**
   * Records a start; when the run exists (the same occurrence restarted), keeps its plan, counts the start and
   * clears its finish time. Resolves the run's plan as stored.
   */
  start(plan: FanOutRunPlan): Promise<FanOutRunPlan>;
  /** Where part `part` of the run stands (its start when never checkpointed). */
  part(key: FanOutRunKey, part: number): Promise<FanOutPartState>;
  /**
   * Checkpoints a page of part `part`: moves it from `step` to `step + 1`, to `cursor` (or done), and adds
   * `counts`, only if it is still at `step` and not done. Resolves false when another invocation moved it first
   * (nothing is added: retries never double-count).
   */
  advance(key: FanOutRunKey, part: number, checkpoint: FanOutCheckpoint): Promise<boolean>;
  /** Keeps an error a part met (the first few kept whole; all counted). */
  recordError(key: FanOutRunKey, message: string): Promise<void>;
  /** Marks the run finished at `at`. */
  finish(key: FanOutRunKey, at: number): Promise<void>;
  /** The run, its parts summed; undefined when it never started. */
  get(key: FanOutRunKey): Promise<FanOutRun | undefined>;
  /** The campaign's latest run (by occurrence). */
  latest(campaignId: string): Promise<FanOutRun | undefined>;
}

/** Where segment transitions go for campaigns to consume (an SQS standard queue). */
export interface TransitionPublisher {
  /** Publishes the transitions; resolves the ids of those accepted (the others stay in the outbox). */
  publish(transitions: readonly SegmentTransition[]): Promise<ReadonlySet<string>>;
}

/** A product as emails show it: prices in major units (e.g. `24.99`) of `currency`. */
export interface CatalogProduct {
  readonly productId: string;
  readonly name: string;
  readonly brand: string;
  readonly category: string;
  readonly price: number;
  readonly currency: string;
  readonly inStock: boolean;
  /** Relative popularity in (0, 1]: how best sellers are ranked. */
  readonly popularity: number;
  readonly url: string;
  readonly imageUrl: string;
  /**
   * Prices by ISO 4217 currency in major units (the markets the shop sells in); `price` and `currency` are the
   * default market's and are repeated here when the feed gives several.
   */
  readonly prices?: Readonly<Record<string, number>>;
  /** Prices before a reduction (a sale), by currency, major units. */
  readonly compareAtPrices?: Readonly<Record<string, number>>;
  /** The product page per market (a locale such as `de-DE`, or a language such as `de`) when it differs from `url`. */
  readonly urls?: Readonly<Record<string, string>>;
  /** More images after `imageUrl`. */
  readonly images?: readonly string[];
  /** Every category the product is in (the category path's levels or several), `category` first. */
  readonly categories?: readonly string[];
  /** Tags (lower case): interests, materials, occasions. */
  readonly tags?: readonly string[];
  /** Units in stock when the feed says (0 and `inStock: false` agree); absent when only availability is known. */
  readonly stock?: number;
  /**
   * A product bought again and again (coffee, filters): it may be recommended to a buyer again this many days
   * after their last purchase of it. Absent: never recommended again to someone who bought it.
   */
  readonly replenishDays?: number;
  /** When the catalog last changed this product (epoch ms). */
  readonly updatedAt?: number;
}

/** The shop's products: looked up by id, and best sellers for the recommendation fallbacks. */
export interface Catalog {
  /** The products that exist among `productIds` (unknown ids are simply missing from the map). */
  getMany(productIds: readonly string[]): Promise<ReadonlyMap<string, CatalogProduct>>;
  /**
   * The most popular in-stock products, best first, of `category` when given, leaving out `exclude`;
   * at most `limit`.
   */
  bestSellers(options: BestSellerQuery): Promise<readonly CatalogProduct[]>;
}

/** What {@link Catalog.bestSellers} is asked: how many, of which category (else overall), leaving out which ids. */
export interface BestSellerQuery {
  readonly limit: number;
  readonly category?: string;
  readonly exclude?: ReadonlySet<string>;
}

/** A product as the catalog store keeps it. */
export interface StoredCatalogProduct {
  readonly product: CatalogProduct;
  /** Content hash of the product without `updatedAt`: an import skips a product whose hash is unchanged. */
  readonly hash: string;
  /** It left the feed: kept (out of stock, out of best sellers) so that old emails' links still resolve. */
  readonly retired: boolean;
}

/** What an import compares a feed against: one entry per stored product, without the product's text. */
export interface CatalogIndexEntry {
  readonly productId: string;
  readonly hash: string;
  readonly retired: boolean;
  readonly inStock: boolean;
  /** Prices by currency (major units), for price-drop detection. */
  readonly prices: Readonly<Record<string, number>>;
}

/** The catalog's writable store: what feed imports and product events write, and what dispatch reads. */
export interface CatalogStore extends Catalog {
  /** Every stored product's index entry, in pages (a parallel scan on DynamoDB). */
  index(): AsyncIterable<readonly CatalogIndexEntry[]>;
  /** The stored products among `productIds` (absent ones are missing from the map). */
  getStored(productIds: readonly string[]): Promise<ReadonlyMap<string, StoredCatalogProduct>>;
  /** Upserts the products unconditionally (a feed import); resolves the write units consumed. */
  putMany(products: readonly StoredCatalogProduct[]): Promise<{ readonly writeUnits: number }>;
  /**
   * Writes one product if the stored one still has `previousHash` (`undefined`: it must not exist yet): the
   * optimistic check of a product event's read-merge-write. Resolves false on a conflict.
   */
  putIf(product: StoredCatalogProduct, previousHash: string | undefined): Promise<boolean>;
}

/** Where catalog writers (feed imports, product events) put the changes customers may want to hear about. */
export interface CatalogChangePublisher {
  /** Publishes the changes (at least once). */
  publish(changes: readonly CatalogChange[]): Promise<void>;
}

/** One page of a product's watchers, and where the next page starts. */
export interface WatcherPage {
  readonly watchers: readonly Watcher[];
  /** Opaque: pass it back for the next page; absent after the last page. */
  readonly cursor?: string;
}

/**
 * The watch index: which customers viewed or carted a product lately (product → customer, viewed and carted
 * times), for catalog-triggered campaigns. Kept 30 days (`WATCH_RETENTION_DAYS`) after the newest interest;
 * readers leave older interests out (an emulator without TTL keeps them).
 */
export interface WatchIndex {
  /** Records watches (idempotent: the newest time per product, customer and kind wins); resolves the writes made. */
  record(watches: readonly Watch[]): Promise<number>;
  /** Forgets the customer's watches of `productIds` (bought); resolves the deletes made. */
  forget(customerId: string, productIds: readonly string[]): Promise<number>;
  /** One page of the product's watchers with an interest at or after `since` (epoch ms). */
  watchers(
    productId: string,
    options: { readonly since: number; readonly cursor?: string; readonly limit?: number },
  ): Promise<WatcherPage>;
}

/** The content library: articles, tips and guides with interest tags. */
export interface ContentLibrary {
  /** Every item (the library is small: hundreds to a few thousand items). */
  all(): Promise<readonly ContentItem[]>;
}

/** Where the content library is written: the import upserts the file's items and retires those that left it. */
export interface ContentStore extends ContentLibrary {
  /** Writes `items` (new or changed) as imported at `at` (epoch ms); a retired item written again is live again. */
  put(items: readonly ContentItem[], at: number): Promise<void>;
  /** Retires the items `ids` at `at`: `all` no longer returns them. */
  retire(ids: readonly string[], at: number): Promise<void>;
}

/** What a recommender is asked. */
export interface RecommendationRequest {
  readonly customerId: string;
  readonly profile: Profile;
  /** How many products are wanted (the recommender may return more or fewer). */
  readonly limit: number;
}

/**
 * Personal product recommendations (the model endpoint). Returns product ids, best first; it may include
 * products that are out of stock or already bought: the caller filters. Throws when the model cannot answer
 * in time; the caller falls back to best sellers.
 */
export interface Recommender {
  recommend(request: RecommendationRequest): Promise<readonly string[]>;
}

/**
 * What a ledger claim found: this attempt holds the send now (`claimed`), or holds it by taking over a pending
 * claim whose lease had ended (`reclaimed`: the attempt that held it died, perhaps after the provider accepted the
 * email), it was settled before (`already`), or another attempt holds it (`pending`).
 */
export type ClaimResult = "claimed" | "reclaimed" | "already" | "pending";

/**
 * SES accepted the email of one send: its `Send` event, recorded by the SES feedback path. An attempt that
 * died between SES's acceptance and the ledger's record leaves only this behind.
 */
export interface SendAcceptance {
  /** The send key's reference as tagged on the email (`sendRefOf(key)` in `shared/domain/email-feedback/ses-tags.ts`). */
  readonly sendRef: string;
  /** SES's message id. */
  readonly messageId: string;
  /** When SES accepted the email (epoch ms): the `Send` event's `mail.timestamp`. */
  readonly acceptedAt: number;
  /** The variant sent, from the email's `variant` tag, when readable. */
  readonly variant?: string;
}

/** Where the SES feedback path records SES's acceptances (the send ledger's table). */
export interface SendAcceptances {
  /** Records an acceptance; idempotent: the first record of a `sendRef` stays, a redelivered event changes nothing. */
  recordAccepted(acceptance: SendAcceptance): Promise<void>;
}

/**
 * The send ledger: one conditional claim per deterministic send key, so retries, replays and duplicate events
 * never send twice, and a log of every outcome per customer (frequency caps, `tailor explain`).
 *
 * Protocol for one intent: `claim` → (decide, send) → `record` the outcome. A retryable failure before the
 * provider accepted the email, or a deferral, `release`s the claim so the next attempt can claim again; a claim
 * `reclaimed` from an attempt that died is kept instead, so the next attempt retakes it after the lease and looks
 * for SES's acceptance ({@link SendLedger.accepted}) again.
 */
export interface SendLedger {
  /**
   * Claims `intent.key` at `at` (epoch ms). `"claimed"`: go ahead. `"already"`: an earlier attempt settled it
   * (sent, held out, skipped or failed for good): drop this one. `"pending"`: another attempt holds the claim and
   * has not settled it yet: try again later (do not drop, the holder may still release it). `"reclaimed"`: go
   * ahead, but the attempt that held the claim before may have sent the email: look for its {@link accepted}
   * first.
   */
  claim(intent: SendIntent, at: number): Promise<ClaimResult>;
  /** SES's acceptance of the email of `intent`'s send key, if the feedback path has recorded its `Send` event. */
  accepted(intent: Pick<SendIntent, "key" | "customerId">): Promise<SendAcceptance | undefined>;
  /**
   * Logs an outcome. `sent`, `holdout`, `skipped` and `failed` also settle the claim (a later claim is
   * `"already"`); `deferred` does not (release the claim, the intent comes back later).
   */
  record(entry: LedgerEntry): Promise<void>;
  /** Drops a claim that is still pending (a settled claim is never dropped). */
  release(intent: Pick<SendIntent, "key" | "customerId">): Promise<void>;
  /**
   * Takes the customer's send lock for the send key `key` at `at` (epoch ms), held while a send under a frequency
   * cap is decided, sent and recorded: two attempts for one customer in parallel (two batches of the sends queue)
   * would otherwise both count the same room under the cap, and both send. `true`: held (by `key` already, or
   * taken); `false`: another send holds it and its lease has not ended.
   */
  lockCustomer(customerId: string, key: string, at: number): Promise<boolean>;
  /** Drops the customer's send lock when `key` holds it (else nothing). */
  unlockCustomer(customerId: string, key: string): Promise<void>;
  /**
   * The customer's logged outcomes at or after `sinceMs`, newest first, at most `limit`; only those of `outcome`
   * when it is given (so that many deferrals cannot push the sends a frequency cap counts out of the limit).
   */
  recent(
    customerId: string,
    sinceMs: number,
    limit?: number,
    outcome?: LedgerEntry["outcome"],
  ): Promise<LedgerEntry[]>;
}

/** One email to hand to the provider: a rendered email (`RenderedEmail` fits `content`) and whom it is for. */
export interface OutgoingEmail {
  /** The recipient's address. */
  readonly to: string;
  readonly content: {
    readonly subject: string;
    readonly html: string;
    readonly text: string;
    /** Extra headers, e.g. `List-Unsubscribe` and `List-Unsubscribe-Post`. */
    readonly headers: Readonly<Record<string, string>>;
  };
  /**
   * The send key (the ledger's idempotency key), tagged on the email so that the provider's `Send` event tells
   * the ledger the email was accepted even when the attempt that sent it died before recording it.
   */
  readonly sendKey: string;
  /** Tagged on the email so the provider's feedback events can be traced back. */
  readonly customerId: string;
  readonly campaignId: string;
  readonly variant: string;
}

/** What the provider answered for an accepted email. */
export interface MailReceipt {
  readonly messageId: string;
}

/**
 * Sends one email. Throws `MailerThrottledError` or `MailerUnavailableError` (retryable) or `MailerRejectedError`
 * (permanent) from `shared/mailer-errors.ts`.
 */
export interface Mailer {
  send(email: OutgoingEmail): Promise<MailReceipt>;
}

/** Whether an SMS is marketing (`PROMOTIONAL`) or about the customer's own business (`TRANSACTIONAL`). */
export type SmsMessageType = "PROMOTIONAL" | "TRANSACTIONAL";

/** One text to hand to the SMS provider. */
export interface OutgoingSms {
  /** The recipient's number in E.164 (`+33612345678`). */
  readonly to: string;
  /** The rendered body (its encoding and segment count were checked when the template was built). */
  readonly body: string;
  readonly messageType: SmsMessageType;
  /** The send key (the ledger's idempotency key), carried in the message context back to the feedback path. */
  readonly sendKey: string;
  readonly customerId: string;
  readonly campaignId: string;
  readonly variant: string;
}

/** What the provider answered for an accepted text. */
export interface SmsReceipt {
  readonly messageId: string;
}

/**
 * Sends one SMS. Throws `SmsThrottledError` or `SmsUnavailableError` (retryable) or `SmsRejectedError`
 * (permanent; `optedOut` when the number is on the provider's opt-out list) from `shared/sms-errors.ts`.
 */
export interface SmsSender {
  send(sms: OutgoingSms): Promise<SmsReceipt>;
}

/**
 * Which customer each phone number was last texted for (E.164 → customer id), so a STOP reply finds its customer.
 * A number belongs to the last customer texted at it.
 */
export interface PhoneIndex {
  /** Records that `phone` was texted for `customerId` (idempotent). */
  remember(phone: string, customerId: string): Promise<void>;
  /** The customer `phone` was last texted for, or undefined. */
  customerOf(phone: string): Promise<string | undefined>;
  /** Removes `phone`'s entry when it still names `customerId` (erasure); resolves whether one was removed. */
  forget(phone: string, customerId: string): Promise<boolean>;
}

/**
 * The sends queue (SQS): intents due now, for the dispatch function. Delivery is at least once; the send ledger
 * makes a second delivery harmless.
 */
export interface SendQueue {
  /** Enqueues the intents (in batches); resolves the keys of those accepted (the caller retries the others). */
  enqueue(intents: readonly SendIntent[]): Promise<ReadonlySet<string>>;
}

/**
 * Send timers: intents due later (a campaign's delay, a send deferred by quiet hours), kept in the same due-time
 * store as the segment timers and moved to the sends queue when due.
 */
export interface SendTimers {
  /** Keeps the intent until `intent.dueAt` (idempotent per key and due time); resolves the writes it took. */
  schedule(intent: SendIntent): Promise<number>;
  /** Up to `limit` intents due at or before `now`, oldest first. */
  due(now: number, limit: number): Promise<SendIntent[]>;
  /** Deletes a fired timer. */
  complete(intent: SendIntent): Promise<void>;
}

/** One event to put on the events stream. */
export interface EventRecord {
  /** The partition key: the customer (`userId ?? anonymousId`), so one customer's events stay on one shard. */
  readonly customerId: string;
  /** The Segment-spec event as UTF-8 JSON, exactly what the ingest decodes. */
  readonly data: Uint8Array;
}

/** What became of a write: how many records the stream accepted, and which it did not. */
export interface EventWriteOutcome {
  readonly accepted: number;
  /** Indexes (into the records given) still refused after the retries; empty when every record is on the stream. */
  readonly rejected: readonly number[];
}

/** Puts events on the events stream (Kinesis), for the ingest to fold like any app's events. */
export interface EventWriter {
  /**
   * Puts the records, retrying refused ones a few times. Throws a retryable error when none could be put
   * because the stream could not be reached; otherwise resolves which were not accepted.
   */
  put(records: readonly EventRecord[]): Promise<EventWriteOutcome>;
}

/** What an audit entry records. */
export type AuditAction =
  | "consent.changed"
  | "customer.erased"
  | "customer.blocked"
  | "customer.unblocked"
  | "customer.exported"
  | "customer.erasure_dropped_event"
  | "customer.viewed";

/**
 * One audited action: who did what to which customer, when. Append-only: never updated, never deleted (an erasure
 * keeps its audit entries, which hold the customer's hash, not the id).
 */
export interface AuditEntry {
  /** Deterministic for the action (e.g. the event's messageId), so a retried write is one entry. */
  readonly id: string;
  readonly at: number;
  readonly action: AuditAction;
  /** Who: `api:<caller>`, `cli:<user>`, `ingest`, `app:<source>`. */
  readonly actor: string;
  /** SHA-256 of the customer id (hex): the entry outlives the customer's data. */
  readonly customerHash: string;
  /** What changed, without personal data (purpose, granted, source; counts of what was deleted). */
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

/** The append-only audit log (a DynamoDB table). */
export interface AuditLog {
  /** Appends the entries (idempotent per id). */
  append(entries: readonly AuditEntry[]): Promise<void>;
  /** The entries of one customer (by hash), newest first. */
  forCustomer(customerHash: string, limit?: number): Promise<AuditEntry[]>;
  /** Entries between two times, newest first, optionally of one action. */
  between(
    fromMs: number,
    toMs: number,
    options?: { action?: AuditAction; limit?: number },
  ): Promise<AuditEntry[]>;
}

/** One arm's counters of one campaign: counts (and revenue in minor units) summed over their shards. */
export interface ExperimentArmTotals {
  readonly campaignId: string;
  /** A variant id, or `holdout`. */
  readonly arm: string;
  /** The customers' lifecycle stage (the report's segment). */
  readonly segment: string;
  readonly counts: Readonly<Partial<Record<ExperimentMetric, number>>>;
}

/**
 * Experiment counters, kept incrementally as sends and engagement happen (a report never scans profiles), sharded
 * so that no campaign is a hot key.
 */
export interface ExperimentCounters {
  /**
   * Adds the increments, summed per campaign first, under `flushId`: adding under the same id again changes
   * nothing (a retried or redelivered flush counts once). Resolves the number of counter writes made.
   */
  add(flushId: string, increments: readonly ExperimentIncrement[]): Promise<number>;
  /** Every arm's totals of the campaign. */
  totals(campaignId: string): Promise<ExperimentArmTotals[]>;
}

/**
 * Propensity scores from a model endpoint (the rescoring path). `rows` are feature vectors in the model's
 * feature order (`FEATURE_NAMES`); resolves one probability (0–1) per row, in row order. Throws a retryable
 * error when the endpoint cannot answer (timeout, outage, an open circuit breaker): never a made-up score.
 */
export interface Scorer {
  score(model: string, rows: readonly number[][]): Promise<number[]>;
}

// The stores a customer's data lives in, as erasure, export and the ingest see them (implemented in shared/aws).

/** One send-ledger item of a customer: a claim (`key#…`) or a logged outcome (`log#…`), as stored. */
export interface LedgerItem {
  readonly kind: "claim" | "log";
  /** The stored attributes, the partition key included. */
  readonly item: { readonly [key: string]: JsonValue };
}

/** One pending timer of a customer in the due-time table. */
export interface PendingTimer {
  /** `segment`: a re-evaluation of the customer's segments; `send`: a delayed email. */
  readonly kind: "segment" | "send";
  /** When it is due (epoch ms). */
  readonly dueAt: number;
  /** The send intent (JSON) of a send timer. */
  readonly payload?: string;
}

/** What is kept about a quarantined record of the customer (its raw bytes are not exported, only deleted). */
export interface QuarantinedMetadata {
  /** Where it is stored (the object key). */
  readonly key: string;
  readonly reason: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly shardId: string | null;
  readonly approximateArrivalTimestamp: number;
  readonly receivedAt: number;
}

/** A store holding items of a customer that erasure removes and export reads. */
export interface CustomerItems<T> {
  /** Every item of the customer held here. */
  list(customerId: string): Promise<T[]>;
  /** Deletes every item of the customer; resolves how many were deleted (0 when none: erasing is idempotent). */
  erase(customerId: string): Promise<number>;
}

/**
 * The quarantine as erasure and export see it. A quarantined record may name the customer under another
 * record's key, inside a batch of several customers' events, or only by email address, so records are looked up
 * by the customer id and by the customer's email addresses (the profile's, read before it is deleted).
 */
export interface QuarantinedItems {
  /** Every quarantined record holding `customerId` or one of `emails` (compared lower-cased). */
  list(customerId: string, emails: readonly string[]): Promise<QuarantinedMetadata[]>;
  /** Deletes those records; resolves how many were deleted (0 when none: erasing is idempotent). */
  erase(customerId: string, emails: readonly string[]): Promise<number>;
}

/**
 * The mark an erasure leaves at the customer's own key in the profiles table, in place of the profile: a time and
 * a kind, nothing personal (the key is a hash of the id).
 */
export interface Tombstone {
  /** When the customer was first erased (or blocked). */
  readonly erasedAt: number;
  /**
   * `erased`: Tailor held data for the customer and erased it. `blocked`: Tailor held nothing for the id, and an
   * operator confirmed that its future events be dropped anyway (`tailor erase --block`).
   */
  readonly kind: TombstoneKind;
}

/** Why a tombstone stands at a customer's key. */
export type TombstoneKind = "erased" | "blocked";

/** What replacing a profile by its tombstone found. */
export interface ErasedProfile {
  /** The tombstone now in place: the first one's time and kind when the customer was erased before. */
  readonly tombstone: Tombstone;
  /** Whether a profile was there and was replaced (false for an id without a profile, or erased before). */
  readonly replaced: boolean;
}

/** Profiles as erasure sees them: each replaced, in one write, by its tombstone. */
export interface ErasableProfiles {
  /**
   * Replaces the customer's profile by its tombstone in one write, whatever its version: from then on every
   * conditional write of the profile (an in-flight batch, a rescoring, an outbox clear) fails, and every reload
   * sees the tombstone, so nothing can bring the profile back. Erasing again keeps the first tombstone.
   */
  erase(customerId: string, erasedAt: number, kind: TombstoneKind): Promise<ErasedProfile>;
  /** The customer's tombstone, or `undefined` when the customer is not erased. */
  tombstone(customerId: string): Promise<Tombstone | undefined>;
  /** Removes the customer's tombstone (a profile is never removed here); resolves the one lifted, if any. */
  lift(customerId: string): Promise<Tombstone | undefined>;
}

/** What the ingest loads per batch: profiles and tombstones, in one read. */
export interface ProfilesAndTombstones {
  readonly profiles: Map<string, StoredProfile>;
  /** The customers of the batch that were erased (their key holds a tombstone). */
  readonly erased: ReadonlySet<string>;
}

/** Reads profiles and tombstones of customers together (a tombstone stands at the profile's own key). */
export interface TombstoneReader {
  loadWithTombstones(customerIds: readonly string[]): Promise<ProfilesAndTombstones>;
}

/**
 * A merged-away id: its key in the profiles table holds a forward to the customer it was merged into. Until that
 * customer's profile holds the merged data, the forward also keeps the snapshot of the profile it replaced
 * (`pending`), so a crash between the two writes loses nothing: whoever meets the forward finishes the merge.
 */
export interface Forward {
  /** The customer the id was merged into. */
  readonly to: string;
  /** When the forward was written (processing time, epoch ms). */
  readonly at: number;
  /** How the id joined `to` (what `to`'s identity graph records for it). */
  readonly link?: IdentityLink;
  /** The profile the forward replaced, while the target has not absorbed it yet. */
  readonly pending?: StoredProfile;
}

/**
 * Who holds an email address as an identifier, and whether it is a known customer (a `userId`): recorded with the
 * claim, so the rule "two known customers are never merged" holds even before the holder's first profile write.
 */
export interface EmailHolder {
  readonly id: string;
  readonly known: boolean;
}

/** What one read of the profiles table finds for a set of ids: profiles, tombstones and forwards. */
export interface ResolvedIds extends ProfilesAndTombstones {
  /** The ids whose key holds a forward (merged into another customer). */
  readonly forwards: Map<string, Forward>;
}

/**
 * The identity map, kept in the profiles table itself: an id merged into a customer has a forward at its own key
 * (so the read that loads a batch's profiles also resolves its merged ids, at no extra cost).
 */
export interface IdentityStore {
  /** Profiles, tombstones and forwards of `ids`, in one batch read. */
  resolveIds(ids: readonly string[]): Promise<ResolvedIds>;
  /**
   * Replaces the profile `previous` of `id` (or, with `undefined`, the absence of any item) by a forward to `to`
   * that keeps `previous` as its pending snapshot; conditional on the version, so a writer of the profile that
   * came first wins and the caller reloads. Resolves false on that conflict.
   */
  retire(
    id: string,
    previous: StoredProfile | undefined,
    to: string,
    at: number,
    link: IdentityLink,
  ): Promise<boolean>;
  /** Drops the pending snapshot of `id`'s forward to `to` once `to`'s profile holds it (no-op otherwise). */
  settleForward(id: string, to: string): Promise<void>;
  /**
   * Replaces `id`'s forward to `to` by a tombstone (with its pending snapshot): `to` was erased, so whatever was
   * merged, or about to be, into it is erased too (no-op when `id` holds anything else).
   */
  eraseForward(id: string, to: string, at: number): Promise<void>;
  /** The email index: the customer whose profile holds `email` as its identifier, if any, and whether it is known. */
  emailOwner(email: string): Promise<EmailHolder | undefined>;
  /**
   * Names `holder` as the holder of `email` when no one holds it (or when `replacing` does, or it does already,
   * then recording whether it is known); resolves the holder's id after the call (the caller's when it won).
   */
  claimEmail(email: string, holder: EmailHolder, replacing?: string): Promise<string>;
  /** Removes the email's index entry if `customerId` holds it (erasure, or a holder that changed its email). */
  releaseEmail(email: string, customerId: string): Promise<void>;
}

/** A fitted cluster model as stored, with when and on how many profiles it was fitted. */
export interface StoredClusters {
  readonly model: ClusterModel;
  readonly fittedAt: number;
  /** Profiles that could be clustered (those who did not object to profiling). */
  readonly population: number;
  /** Of them, how many the model was fitted on. */
  readonly sampled: number;
}

/** Where the current cluster model is kept (the segments table, `pk = clusters`, `sk = current`). */
export interface ClusterStore {
  current(): Promise<StoredClusters | undefined>;
  put(clusters: StoredClusters): Promise<void>;
}

/** The write keys of the Segment-compatible HTTP API (a small encrypted table on AWS and locally). */
export interface WriteKeyRegistry {
  /** The key whose SHA-256 is `hash`, revoked or not; `undefined` when there is none. */
  findByHash(hash: string): Promise<WriteKeyRecord | undefined>;
  /** Adds a key; refuses (throws) a hash or id already there. */
  add(record: WriteKeyRecord): Promise<void>;
  /** Every key, revoked ones included, oldest first. */
  list(): Promise<WriteKeyRecord[]>;
  /**
   * Sets the key's revocation time to `at`, or leaves an earlier one; resolves the key as it is after, or
   * `undefined` when no key has that id.
   */
  revoke(id: string, at: number): Promise<WriteKeyRecord | undefined>;
}

/** One object of the raw event archive, read whole: its records in the range asked for, and what it could not use. */
export interface ArchiveObjectRead {
  /** The object's key in the archive bucket. */
  readonly key: string;
  /** Its records that arrived in the range, in the order of the object's lines. */
  readonly records: readonly ArchivedRecord[];
  /** Its records that arrived outside the range (objects of the hours either side hold some). */
  readonly outsideRange: number;
  /** Its lines that are not archived records, by line number and reason. */
  readonly badLines: readonly ArchiveLineError[];
  /** Why the object could not be read at all (corrupt gzip, larger than the bound), when it could not. */
  readonly unreadable?: string;
}

/** The raw event archive (S3, written by Firehose), read by time of arrival on the stream. */
export interface EventArchive {
  /**
   * Every object that can hold records that arrived in `[fromMs, toMs]` (both inclusive), one at a time, in
   * key order (which is delivery order within an hour). Throws a retryable error when the archive cannot be
   * listed or read.
   */
  objects(fromMs: number, toMs: number): AsyncIterable<ArchiveObjectRead>;
}

/** One record to put on a stream as it is: its partition key and bytes. */
export interface StreamEntry {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

/** What one PutRecords call did: the entries the stream refused (indexes into the call's entries) and why. */
export interface StreamPutResult {
  readonly refused: readonly { readonly index: number; readonly code: string }[];
}

/** Puts records on the events stream, one call at a time; the caller batches and retries. */
export interface RecordStream {
  /**
   * One PutRecords call with `entries` (within the API's limits). Resolves the refused entries of a partial
   * failure; throws a retryable error when the call failed as a whole for a reason that can pass (throttling,
   * an outage), a permanent one otherwise (no such stream, no permission).
   */
  putRecords(entries: readonly StreamEntry[]): Promise<StreamPutResult>;
}

/** The segment batch jobs the workflow runs. */
export const SEGMENT_JOBS = ["recount", "rfm", "reevaluate", "reindex"] as const;

/** One of {@link SEGMENT_JOBS}. */
export type SegmentJob = (typeof SEGMENT_JOBS)[number];

/**
 * A pass of a job over every part of the profile table: `count` (recount), `samples` then `score` (rfm),
 * `reevaluate`, `reindex`.
 */
export const JOB_PHASES = ["count", "samples", "score", "reevaluate", "reindex"] as const;

/** One of {@link JOB_PHASES}. */
export type JobPhase = (typeof JOB_PHASES)[number];

/** Where one part of one phase of a run stands, kept by part id (written whole, never added to). */
export interface PartState {
  readonly part: number;
  /** Steps of this part done so far: the state machine passes it on, so a retried step is recognised. */
  readonly seq: number;
  /** Where the scan resumes (absent before the first step, and once done). */
  readonly cursor?: string;
  readonly done: boolean;
  /** What the part has accumulated so far (its counts, its histogram, its summary). */
  readonly acc: JsonValue;
}

/** The parts' progress and results of the runs of the segment jobs. */
export interface JobPartStore {
  /** The part's state, read strongly consistently; `undefined` before its first step. */
  get(runId: string, phase: JobPhase, part: number): Promise<PartState | undefined>;
  /**
   * Writes the part's state if its stored `seq` is still `expectedSeq` (0: nothing stored yet); resolves false
   * when another attempt of the same step wrote first (the state is then left as that attempt wrote it).
   */
  put(runId: string, phase: JobPhase, state: PartState, expectedSeq: number): Promise<boolean>;
  /** Every part's state of a phase, by part. */
  all(runId: string, phase: JobPhase): Promise<PartState[]>;
}

/**
 * A bucket of training objects (feature tables, model artifacts, registry records): S3 on AWS, a folder
 * locally. Keys are `/`-separated paths.
 */
export interface TrainingObjects {
  /** The object's bytes, or undefined when there is none. Throws a retryable error when the store is unreachable. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Writes (or replaces) an object whole. */
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  /** The keys under a prefix, sorted. */
  list(prefix: string): Promise<string[]>;
}

/** The model registry: versions with their artifact and evaluation, and which version is in service. */
export interface ModelRegistry {
  /** Writes a version: its artifact (`model.tar.gz`), its JSON model when there is one, then its record. */
  putVersion(record: ModelVersionRecord, artifact: Uint8Array, json?: Uint8Array): Promise<void>;
  /** Rewrites a version's record (its evaluation or decision added). */
  putRecord(record: ModelVersionRecord): Promise<void>;
  getRecord(model: RegistryModel, version: string): Promise<ModelVersionRecord | undefined>;
  /** The version's `model.tar.gz`, or undefined. */
  getArtifact(model: RegistryModel, version: string): Promise<Uint8Array | undefined>;
  /** Every version's record, oldest first. */
  listVersions(model: RegistryModel): Promise<ModelVersionRecord[]>;
  /** The version in service, or undefined before the first promotion. */
  current(model: RegistryModel): Promise<CurrentModel | undefined>;
  /** Puts a version into service. */
  setCurrent(current: CurrentModel): Promise<void>;
}

/** One day's size of one segment, as the nightly recount found it. */
export interface SegmentSizePoint {
  /** The UTC day, `YYYY-MM-DD`. */
  readonly day: string;
  readonly size: number;
}

/** Segment sizes kept per day (one point per segment per day, bounded by age): the console's size-over-time charts. */
export interface SegmentSizeHistory {
  /** Records the sizes as the day's points (a second record on the same day replaces the first). */
  record(day: string, sizes: ReadonlyMap<string, number>): Promise<void>;
  /** The points of each segment since `sinceDay` (inclusive), oldest first. */
  history(
    segmentIds: readonly string[],
    sinceDay: string,
  ): Promise<ReadonlyMap<string, readonly SegmentSizePoint[]>>;
}

/** Compiled email templates as the console renders them, with a version that changes when they do. */
export interface TemplateSource {
  /** The templates' current version (changes when the files are rebuilt): cheap, polled by the page. */
  version(): Promise<string>;
  /** The compiled templates as the JSON text `TEMPLATES_FILE` holds, and their version. */
  load(): Promise<{ readonly version: string; readonly json: string }>;
}

/** One campaign's dispatch decisions on one UTC day, counted by outcome (skips by the kind of their reason). */
export interface CampaignOutcomeDay {
  /** `YYYY-MM-DD` (UTC). */
  readonly day: string;
  /** Outcome keys (`sent`, `holdout`, `deferred`, `failed`, `skipped:<reason kind>`, `skipped:other`) to counts. */
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * Dispatch decisions per campaign per UTC day (the console's "sends and skips by reason over time"). Counted by
 * the attempt that holds the send's ledger claim, after its ledger record: a retried or redelivered intent finds
 * the claim settled and counts nothing.
 */
export interface CampaignOutcomeCounts {
  /** Adds one decision of `key` (see {@link CampaignOutcomeDay.counts}) to the campaign's day. */
  add(campaignId: string, day: string, key: string): Promise<void>;
  /** The campaign's days since `sinceDay` (inclusive), oldest first; days without a decision are absent. */
  days(campaignId: string, sinceDay: string): Promise<CampaignOutcomeDay[]>;
}

/** One customer who entered or left a segment, and when (epoch ms). */
export interface SegmentChange {
  readonly customerId: string;
  readonly at: number;
}

/** Who entered and left one segment on one UTC day: the counts, and the most recent customers of each. */
export interface SegmentDayChanges {
  readonly entered: number;
  readonly exited: number;
  /** Newest first, at most the limit asked for: those whose profile still exists. */
  readonly recentEntered: readonly SegmentChange[];
  readonly recentExited: readonly SegmentChange[];
  /** Of the most recent changes, those left out because the customer's profile is gone (erased). @default 0 */
  readonly dropped?: number;
}

/**
 * Segment transitions per segment per UTC day (the console's "who entered and left today"). Recording is
 * idempotent on the transition's deterministic id: a redelivered transition counts once.
 */
export interface SegmentChanges {
  /** Records one transition (counted on the UTC day of its `at`). */
  record(transition: SegmentTransition): Promise<void>;
  /** The day's counts and its `limit` most recent customers who entered and who left. */
  day(segmentId: string, day: string, limit: number): Promise<SegmentDayChanges>;
}
