import type { CampaignLibrary } from "../../domain/campaigns/index.js";
import type { EventTypeDimension } from "../../domain/events/event-type-dimension.js";
import type { EvaluationContext } from "../../domain/segments/contracts.js";
import type {
  AuditLog,
  CatalogChangePublisher,
  CatalogStore,
  Clock,
  ExperimentCounters,
  IdentityStore,
  ProfileStore,
  Quarantine,
  SizeDelta,
  StreamRecord,
  TombstoneReader,
  WatchIndex,
} from "../../ports.js";
import type { FlushResult, OutboxDeps } from "../flush-outbox.js";
import type { ResolvedCustomer } from "../identity/resolve-identities.js";
import type { RealtimeScoring } from "../rescoring/realtime-scoring.js";
import type { SendScheduling } from "../schedule-intents.js";
import type { SegmentDeps } from "../segment-deps.js";

/**
 * One record as delivered by the stream, before any decoding, or one user record of a KPL-aggregated record
 * (the ingest handler de-aggregates before calling `ingestBatch`).
 */
export type IngestRecord = StreamRecord;

export interface IngestDeps {
  readonly profiles: ProfileStore;
  /**
   * The catalog: `Product Updated` events update it (merged, last writer by event time) instead of a profile,
   * and the price drops and returns to stock they cause are published.
   * @default - product events are counted (`productEventsIgnored`) and dropped: no profile is made of them
   */
  readonly catalog?: { readonly store: CatalogStore; readonly changes?: CatalogChangePublisher };
  readonly quarantine: Quarantine;
  readonly clock: Clock;
  /** Optimistic write attempts per customer before its records are failed back to the stream. @default 5 */
  readonly maxWriteAttempts?: number;
  /** Profiles written in parallel. @default 16 */
  readonly writeConcurrency?: number;
  /**
   * Segment evaluation after each fold: memberships, transitions (published through the profile's outbox),
   * timers and size counters.
   * @default - no segments: profiles are folded and written, nothing else
   */
  readonly segments?: SegmentDeps;
  /**
   * Event-triggered campaigns: the journeys each batch starts become send intents, kept in the profile's outbox
   * `oi` by the same write and then handed to the sends queue (due now) or send timers (delays). Needs `segments`
   * (the outbox is flushed with the transitions).
   * @default - no campaigns
   */
  readonly campaigns?: { readonly library: CampaignLibrary; readonly sends: SendScheduling };
  /**
   * Erasure: profiles are loaded together with the tombstones of the batch's customers, and the events of an
   * erased customer are dropped (counted in `erasedDropped`), never used to rebuild a profile.
   * @default - no tombstones read: profiles are loaded with `profiles.getMany`
   */
  readonly tombstones?: TombstoneReader;
  /**
   * The audit log: `consent.changed` for every consent decision a written fold applied, and
   * `customer.erasure_dropped_event` per batch and erased customer. An entry that cannot be appended fails the
   * customer's records back to the stream (appended before the profile write, so the redelivery appends it).
   * @default - nothing audited
   */
  readonly audit?: AuditLog;
  /**
   * Experiment counters: deliveries, unique opens and clicks, bounces, complaints and attributed conversions of
   * each campaign's arms. With `segments`, a write's increments go into the profile's outbox `ox` by the same write
   * and are added to the counters right after, once per write (a crash or an outage delays them, never loses or
   * doubles them); without `segments`, they are added after the write (a crash there loses them).
   * @default - nothing counted
   */
  readonly experiments?: ExperimentCounters;
  /** How long after a delivery or click an order counts as the email's conversion. @default 3 days */
  readonly conversionWindowMs?: number;
  /**
   * Real-time scoring: a customer with an order, cart add or checkout in the batch is rescored (at most once per
   * interval) before the write, so the new tiers and segment memberships go in the same single write.
   * @default - scores change only in the nightly rescoring
   */
  readonly scoring?: RealtimeScoring;
  /**
   * Identity resolution: events are resolved through the identity map (forwards at merged ids' keys, read with the
   * batch's profiles) to the customer they belong to, and an event that links an anonymous id to a known customer
   * merges the two profiles (see `resolveIdentities` and `retireIds`). Also reads tombstones (as `tombstones`).
   * @default - every event folds into the profile of its own `userId ?? anonymousId`
   */
  readonly identities?: IdentityStore;
  /**
   * The watch index of catalog-triggered campaigns: each batch's views and cart adds are recorded (at most once
   * per customer, product, kind and UTC day, judged from the profile before the batch) and the products it bought
   * are forgotten, before the profile write (a failure fails the customer's records back to the stream).
   * @default - no watches recorded
   */
  readonly watches?: WatchIndex;
}

/** What one batch did, for metrics, logs and the benchmark. */
export interface IngestSummary {
  records: number;
  events: number;
  /** Valid events per type (the `eventType` dimension: bounded, unknown track names are `other`). */
  eventsByType: Partial<Record<EventTypeDimension, number>>;
  quarantined: number;
  duplicates: number;
  customers: number;
  profilesWritten: number;
  profilesUnchanged: number;
  conflicts: number;
  /** Write units of the profile puts (the outbox clears are counted apart, in `outboxWriteUnits`). */
  writeUnits: number;
  failedRecords: number;
  /** Segment transitions the batch produced (entries and exits). */
  transitions: number;
  /** Transitions published to the queue, including older ones healed from stored outboxes. */
  transitionsPublished: number;
  /** Conditional profile updates that cleared published transitions from outboxes. */
  outboxWrites: number;
  outboxWriteUnits: number;
  /** Timer items put (one write unit each: the items are far below 1 KB). */
  timerWrites: number;
  /** Send intents the batch's events started (campaign journeys, one per step). */
  intents: number;
  /** Send intents handed to the sends queue (due now), including older ones healed from stored outboxes. */
  intentsEnqueued: number;
  /** Send intents handed to send timers (due later). */
  intentsTimed: number;
  /** Send timer writes (timer items and their index). */
  sendTimerWrites: number;
  /** Size counter updates (one write unit each), summed per counter shard over the batch. */
  counterWrites: number;
  /** Counter updates that failed: sizes drift until the next recount (the batch still succeeds). */
  counterFailures: number;
  /** Events dropped because their customer was erased (a tombstone exists). */
  erasedDropped: number;
  /** Customers rescored in real time (an order, a cart add or a checkout). */
  scored: number;
  /** Real-time rescorings the endpoint could not answer: the customers kept their last scores. */
  scoringUnavailable: number;
  /** Experiment counter writes. */
  experimentWrites: number;
  /** Experiment increments whose write failed: reports undercount them. */
  experimentFailures: number;
  /** Ids merged into known customers (an anonymous id, an alias, or its profile with them). */
  merges: number;
  /** Links the identity rules refused (recorded on the customer). */
  identityConflicts: number;
  /** Identity reads beyond the batch's one profile read (forwards followed, first-time links looked up). */
  identityReads: number;
  /** Identity writes: forwards at merged ids' keys and the clearing of their snapshots. */
  identityWrites: number;
  /** `Product Updated` events applied to the catalog (older ones than the product's last change included). */
  productEvents: number;
  /** Of those, events older than the product's last change: the newer state was kept. */
  productEventsStale: number;
  /** `Product Updated` events dropped because ingest has no catalog. */
  productEventsIgnored: number;
  /** Catalog changes (price drops, back in stock) product events caused. */
  catalogChanges: number;
  /** Watch index writes: views and cart adds recorded, bought products forgotten. */
  watchWrites: number;
}

export interface IngestResult {
  /** Sequence numbers to report back as batch item failures: the stream redelivers from the lowest. */
  readonly failed: ReadonlySet<string>;
  readonly summary: IngestSummary;
}

/** One customer's share of a batch, after identity resolution. */
export type CustomerBatch = ResolvedCustomer;

/** What every stage of one batch shares. */
export interface BatchRun {
  readonly deps: IngestDeps;
  readonly now: number;
  readonly summary: IngestSummary;
  readonly context: EvaluationContext;
  /** Size changes of the written profiles, summed and written once at the end of the batch. */
  readonly deltas: SizeDelta[];
  /** Where the outboxes go after a write (undefined without segments). */
  readonly outbox: OutboxDeps | undefined;
  /** Actors of the consent events, by messageId. */
  readonly actors: ReadonlyMap<string, string>;
  /** The batch's invalidation of the membership index's rebuild (imported history), made once. */
  indexInvalidated?: Promise<void>;
}

/** A summary with nothing counted yet. */
export function emptySummary(records: number): IngestSummary {
  return {
    records,
    events: 0,
    eventsByType: {},
    quarantined: 0,
    duplicates: 0,
    customers: 0,
    profilesWritten: 0,
    profilesUnchanged: 0,
    conflicts: 0,
    writeUnits: 0,
    failedRecords: 0,
    transitions: 0,
    transitionsPublished: 0,
    outboxWrites: 0,
    outboxWriteUnits: 0,
    timerWrites: 0,
    intents: 0,
    intentsEnqueued: 0,
    intentsTimed: 0,
    sendTimerWrites: 0,
    counterWrites: 0,
    counterFailures: 0,
    scored: 0,
    scoringUnavailable: 0,
    experimentWrites: 0,
    experimentFailures: 0,
    erasedDropped: 0,
    merges: 0,
    identityConflicts: 0,
    identityReads: 0,
    identityWrites: 0,
    productEvents: 0,
    productEventsStale: 0,
    productEventsIgnored: 0,
    catalogChanges: 0,
    watchWrites: 0,
  };
}

/** Adds what flushing an outbox did to the batch's summary. */
export function count(summary: IngestSummary, flushed: FlushResult): void {
  summary.transitionsPublished += flushed.published;
  summary.experimentWrites += flushed.counterWrites;
  summary.outboxWrites += flushed.outboxWrites;
  summary.outboxWriteUnits += flushed.writeUnits;
  summary.intentsEnqueued += flushed.enqueued;
  summary.intentsTimed += flushed.timed;
  summary.sendTimerWrites += flushed.sendTimerWrites;
}
