import { type ExperimentIncrement, experimentIncrements } from "../domain/analytics/index.js";
import { type CampaignLibrary, intentsForEvents } from "../domain/campaigns/index.js";
import type { TailorEvent } from "../domain/events/index.js";
import { customerHash } from "../domain/privacy/customer-hash.js";
import { foldEvents } from "../domain/profile/index.js";
import type { EvaluationContext, SegmentTransition } from "../domain/segments/contracts.js";
import { ProfileConflictError } from "../errors.js";
import type {
  AuditLog,
  Clock,
  ExperimentCounters,
  Forward,
  IdentityStore,
  ProfileStore,
  Quarantine,
  QuarantinedRecord,
  SizeDelta,
  StoredProfile,
  StreamRecord,
  TombstoneReader,
} from "../ports.js";
import { consentAuditEntries } from "./consent/consent-audit-entries.js";
import { type DecodedEntry, decodeRecords } from "./decode-records.js";
import { counterFlushId, type FlushResult, flushOutbox, type OutboxDeps } from "./flush-outbox.js";
import {
  absorbInto,
  claimCustomerEmail,
  type Retired,
  retireIds,
  settleRetired,
} from "./identity/absorb-ids.js";
import { normalEmail, type ResolvedCustomer, resolveIdentities } from "./identity/resolve-identities.js";
import { mapLimit } from "./map-limit.js";
import { consentActor, isConsentEvent } from "./privacy/consent-audit.js";
import {
  hasSignificantEvent,
  type RealtimeScores,
  type RealtimeScoring,
  scoreBatchInRealTime,
} from "./rescoring/realtime-scoring.js";
import { withScores } from "./rescoring/rescore-slice.js";
import type { SendScheduling } from "./schedule-intents.js";
import { type SegmentDeps, sizeDeltas } from "./segment-deps.js";
import { settleSegments } from "./settle-segments.js";

/**
 * One record as delivered by the stream, before any decoding, or one user record of a KPL-aggregated record
 * (the ingest handler de-aggregates before calling {@link ingestBatch}).
 */
export type IngestRecord = StreamRecord;

export interface IngestDeps {
  readonly profiles: ProfileStore;
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
}

/** What one batch did, for metrics, logs and the benchmark. */
export interface IngestSummary {
  records: number;
  events: number;
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
}

export interface IngestResult {
  /** Sequence numbers to report back as batch item failures: the stream redelivers from the lowest. */
  readonly failed: ReadonlySet<string>;
  readonly summary: IngestSummary;
}

type CustomerBatch = ResolvedCustomer;

/**
 * Ingests one stream batch: decode and validate every record, quarantine the malformed ones with their bytes and
 * reason, group the rest by customer, load those profiles in one batch, fold, and write each changed profile once
 * with an optimistic version check (reloading and refolding on a conflict). A customer whose write cannot be
 * made has its records reported as failed, so the stream redelivers them; the fold's messageId memory makes
 * every redelivery harmless.
 *
 * With `segments`, each fold is followed by an evaluation of every segment: memberships, new transitions
 * appended to the profile's outbox and the timer due `tm` go into the same single write (a timer item is put
 * just before it when the next time-driven change is earlier than the pending timer). After the write the
 * outbox is published to the transitions queue and cleared (conditional on the version); if publishing fails
 * the customer's records are failed back, and their redelivery, a pure duplicate, publishes the outbox then.
 * Size counters are summed per shard over the batch and written once at the end.
 *
 * With `tombstones`, the profiles are loaded together with the tombstones of the batch's customers, and the
 * events of an erased customer are dropped and counted (`erasedDropped`), never folded into a new profile. With
 * `audit`, the consent decisions a fold applied and the dropped events are appended to the audit log.
 *
 * Historical events (`event.historical`, imported past) fold like any other, but open no journey, trigger no
 * real-time rescoring, and the transitions of a customer whose events are all historical are marked
 * `historical`, so segment-triggered campaigns ignore them (memberships, sizes and timers still follow).
 */
export async function ingestBatch(deps: IngestDeps, records: readonly IngestRecord[]): Promise<IngestResult> {
  const now = deps.clock.now();
  const failed = new Set<string>();
  const summary: IngestSummary = {
    records: records.length,
    events: 0,
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
  };

  const byCustomer = new Map<string, CustomerBatch>();
  const quarantining: Promise<void>[] = [];
  /** Actors of the consent events, by messageId (`app:<library>` from the raw event). */
  const actors = new Map<string, string>();
  for (const entry of decodeRecords(records, now)) {
    const { record } = entry;
    if (!entry.ok) {
      quarantining.push(
        deps.quarantine.put(quarantined(entry, now)).then(
          () => {
            summary.quarantined++;
          },
          () => {
            // The parent record's sequence number: an aggregate is redelivered whole (the fold dedups the rest).
            failed.add(record.sequenceNumber);
          },
        ),
      );
      continue;
    }
    summary.events++;
    const { event } = entry;
    const { customerId } = event;
    let batch = byCustomer.get(customerId);
    if (batch === undefined) {
      batch = { customerId, events: [], sequenceNumbers: [], absorbs: [], conflicts: [] };
      byCustomer.set(customerId, batch);
    }
    // In delivery order (record, then position in it): the fold keeps it for events with the same time.
    batch.events.push(event);
    if (deps.audit !== undefined && isConsentEvent(event)) {
      actors.set(event.messageId, consentActor(entry.json));
    }
    batch.sequenceNumbers.push(record.sequenceNumber);
  }
  const [{ customers, loaded, erased }, context] = await Promise.all([
    resolveBatch(deps, summary, [...byCustomer.values()]),
    byCustomer.size === 0 || deps.segments === undefined ? {} : deps.segments.context(),
    Promise.all(quarantining),
  ]);
  summary.customers = customers.length;

  const deltas: SizeDelta[] = [];
  const outbox: OutboxDeps | undefined =
    deps.segments === undefined
      ? undefined
      : {
          ...deps.segments,
          ...(deps.campaigns === undefined ? {} : { sends: deps.campaigns.sends }),
          ...(deps.experiments === undefined ? {} : { experiments: deps.experiments }),
        };
  const batches = customers.filter((batch) => !erased.has(batch.customerId));
  const run: BatchRun = { deps, now, summary, context, deltas, outbox, actors };
  const realtime = await scoreBatch(run, batches, loaded);
  const outcomes = await mapLimit(batches, deps.writeConcurrency ?? 16, (batch) =>
    writeCustomer(run, batch, loaded.get(batch.customerId), realtime.get(batch.customerId)),
  );
  // Erased before the batch was loaded, or while it was being written (its write then failed on the tombstone).
  const erasedBatches = [
    ...customers.filter((batch) => erased.has(batch.customerId)),
    ...batches.filter((_, index) => {
      const outcome = outcomes[index];
      return outcome?.status === "fulfilled" && outcome.value === "erased";
    }),
  ];
  for (const outcome of await dropErased(deps, now, summary, erasedBatches)) {
    for (const sequenceNumber of outcome) failed.add(sequenceNumber);
  }
  if (deps.segments !== undefined && deltas.length > 0) {
    try {
      summary.counterWrites += await deps.segments.store.addToSizes(deltas);
    } catch {
      summary.counterFailures += deltas.length;
    }
  }
  outcomes.forEach((outcome, index) => {
    if (outcome.status === "rejected") {
      for (const sequenceNumber of batches[index]?.sequenceNumbers ?? []) failed.add(sequenceNumber);
    }
  });
  summary.failedRecords = failed.size;
  return { failed, summary };
}

/** What the quarantine keeps of an event that failed to decode: its bytes, reason and place in the stream. */
function quarantined(entry: Extract<DecodedEntry, { ok: false }>, now: number): QuarantinedRecord {
  const { record } = entry;
  return {
    reason: entry.reason,
    issues: entry.issues,
    source: "kinesis",
    shardId: record.shardId,
    sequenceNumber: record.sequenceNumber,
    ...(record.subSequenceNumber === undefined ? {} : { subSequenceNumber: record.subSequenceNumber }),
    ...(entry.elementIndex === undefined ? {} : { elementIndex: entry.elementIndex }),
    partitionKey: record.partitionKey,
    approximateArrivalTimestamp: record.approximateArrivalTimestamp,
    raw: entry.raw,
    receivedAt: now,
  };
}

interface BatchRun {
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
}

/** One customer's profile, whether it was erased, and the forward at its key if it was merged into another. */
async function reloadProfile(
  deps: IngestDeps,
  customerId: string,
): Promise<{ stored: StoredProfile | undefined; erased: boolean; forward?: Forward }> {
  if (deps.identities !== undefined) {
    const { profiles, erased, forwards } = await deps.identities.resolveIds([customerId]);
    const forward = forwards.get(customerId);
    return {
      stored: profiles.get(customerId),
      erased: erased.has(customerId),
      ...(forward === undefined ? {} : { forward }),
    };
  }
  if (deps.tombstones === undefined) return { stored: await deps.profiles.get(customerId), erased: false };
  const { profiles, erased } = await deps.tombstones.loadWithTombstones([customerId]);
  return { stored: profiles.get(customerId), erased: erased.has(customerId) };
}

/**
 * The batch's customers and their profiles: with identities, resolved through the identity map (the events
 * regrouped by the customer they end at); else each id its own customer. Tombstones are read with the profiles.
 */
async function resolveBatch(
  deps: IngestDeps,
  summary: IngestSummary,
  groups: CustomerBatch[],
): Promise<{ customers: CustomerBatch[]; loaded: Map<string, StoredProfile>; erased: ReadonlySet<string> }> {
  if (groups.length === 0) return { customers: [], loaded: new Map(), erased: new Set() };
  if (deps.identities !== undefined) {
    const { identities } = deps;
    const resolved = await resolveIdentities(identities, groups);
    summary.identityReads += resolved.extraReads;
    // Ids merged into an erased customer are erased with it (a merge the erasure could not see yet).
    await Promise.all(
      resolved.orphans.map(({ id, to }) => identities.eraseForward(id, to, deps.clock.now())),
    );
    summary.identityWrites += resolved.orphans.length;
    return {
      customers: resolved.customers,
      loaded: resolved.loaded.profiles,
      erased: resolved.loaded.erased,
    };
  }
  const customerIds = groups.map((group) => group.customerId);
  const { profiles, erased } =
    deps.tombstones !== undefined
      ? await deps.tombstones.loadWithTombstones(customerIds)
      : { profiles: await deps.profiles.getMany(customerIds), erased: new Set<string>() };
  return { customers: groups, loaded: profiles, erased };
}

/**
 * Drops the events of erased customers: counted, and audited once per batch and customer (the id comes from the
 * customer's first sequence number, so a redelivered batch is the same entry). Resolves, per customer whose
 * entry could not be appended, the sequence numbers to fail back to the stream.
 */
async function dropErased(
  deps: IngestDeps,
  now: number,
  summary: IngestSummary,
  dropped: readonly CustomerBatch[],
): Promise<string[][]> {
  for (const batch of dropped) summary.erasedDropped += batch.events.length;
  const { audit } = deps;
  if (audit === undefined) return [];
  const outcomes = await Promise.all(
    dropped.map(async (batch) => {
      const hash = customerHash(batch.customerId);
      try {
        await audit.append([
          {
            id: `customer.erasure_dropped_event#${hash}#${batch.sequenceNumbers[0] ?? now}`,
            at: now,
            action: "customer.erasure_dropped_event",
            actor: "ingest",
            customerHash: hash,
            details: { events: batch.events.length },
          },
        ]);
        return [];
      } catch {
        return batch.sequenceNumbers;
      }
    }),
  );
  return outcomes.filter((sequenceNumbers) => sequenceNumbers.length > 0);
}

/**
 * Real-time scoring of the batch's customers with a significant event, before any write: their profiles folded
 * as stored, then one scorer call per model for all of them. Counted here, applied by each write.
 */
async function scoreBatch(
  run: BatchRun,
  batches: readonly CustomerBatch[],
  loaded: ReadonlyMap<string, StoredProfile>,
): Promise<Map<string, RealtimeScores>> {
  const { deps, now, summary } = run;
  if (deps.scoring === undefined) return new Map();
  const candidates = batches
    .filter((batch) => hasSignificantEvent(batch.events))
    .map((batch) => ({
      customerId: batch.customerId,
      events: batch.events,
      profile: foldEvents(loaded.get(batch.customerId)?.profile, batch.customerId, batch.events, now).profile,
    }));
  const results = await scoreBatchInRealTime(deps.scoring, candidates, now);
  for (const { outcome } of results.values()) {
    if (outcome === "scored") summary.scored++;
    if (outcome === "unavailable") summary.scoringUnavailable++;
  }
  return results;
}

/** Forwards a customer's events follow at most when its id turns out to be merged away while they are written. */
const MAX_REDIRECTS = 3;

/**
 * Writes one customer's share of the batch ({@link writeCustomerOnce}); when the customer turns out to have been
 * merged into another meanwhile (its key now holds a forward), its events follow the forward and are written there.
 */
async function writeCustomer(
  run: BatchRun,
  batch: CustomerBatch,
  initial: StoredProfile | undefined,
  realtime: RealtimeScores | undefined,
): Promise<"written" | "unchanged" | "erased"> {
  let current = batch;
  let stored = initial;
  for (let hop = 0; ; hop++) {
    const outcome = await writeCustomerOnce(run, current, stored, realtime);
    if (typeof outcome === "string") return outcome;
    if (hop >= MAX_REDIRECTS) throw new ProfileConflictError(current.customerId, hop);
    const { forward } = outcome;
    const to = forward.to;
    const reloaded = await reloadProfile(run.deps, to);
    if (reloaded.erased) return "erased";
    // The merged-away profile's snapshot goes with the events if the customer does not hold it yet.
    const link = forward.link ?? { i: current.customerId, h: "identify", at: forward.at, m: "", v: 0 };
    current = {
      customerId: to,
      events: current.events.map((event) => ({ ...event, customerId: to })),
      sequenceNumbers: current.sequenceNumbers,
      absorbs: [{ id: current.customerId, link, source: undefined, forward }],
      conflicts: current.conflicts,
    };
    stored = reloaded.stored;
  }
}

/**
 * Folds and writes one customer's events (reloading and refolding on a version conflict), after merging in the ids
 * the batch links to it (forwards first, then one write of the merged profile, then the forwards' snapshots
 * dropped). Resolves `erased` when the customer turned out to be erased: its key holds a tombstone, so the write
 * failed on it and nothing was written; the timers this attempt scheduled are taken back. Resolves the forward
 * when the customer turned out to be merged into another.
 */
async function writeCustomerOnce(
  run: BatchRun,
  batch: CustomerBatch,
  initial: StoredProfile | undefined,
  realtime: RealtimeScores | undefined,
): Promise<"written" | "unchanged" | "erased" | { forward: Forward }> {
  const { deps, now, summary } = run;
  const attempts = deps.maxWriteAttempts ?? 5;
  const scheduled = new Set<number>();
  const audited = new Set<string>();
  const { retired, conflicts } = await retire(run, batch);
  let stored = initial;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const absorbed = absorbInto(stored?.profile, batch.customerId, retired, conflicts, now);
    const before = absorbed.profile;
    const folded = foldEvents(before, batch.customerId, batch.events, now);
    if (!folded.changed && !absorbed.changed) {
      summary.duplicates += folded.duplicates;
      summary.profilesUnchanged++;
      // A crash between an earlier write and its publish left outbox entries behind: deliver them now.
      if (run.outbox !== undefined && stored !== undefined) {
        count(
          summary,
          await flushOutbox(run.outbox, { ...stored.profile, itemBytes: stored.itemBytes }, now),
        );
      }
      return "unchanged";
    }
    let profile = folded.profile;
    // Scored once for the batch, before the writes: a version conflict reapplies the same scores.
    if (realtime !== undefined) profile = withScores(profile, realtime.scores) ?? profile;
    let transitions: SegmentTransition[] = [];
    if (deps.segments !== undefined) {
      const settled = settleSegments(profile, deps.segments.library, now, run.context, {
        historical: onlyHistory(batch.events),
      });
      profile = settled.profile;
      transitions = settled.transitions;
      if (settled.scheduleAt !== undefined && !scheduled.has(settled.scheduleAt)) {
        // Before the profile write: a stored `tm` must always have its timer.
        summary.timerWrites += await deps.segments.timers.schedule(batch.customerId, settled.scheduleAt);
        scheduled.add(settled.scheduleAt);
      }
    }
    let intents = 0;
    if (deps.campaigns !== undefined) {
      // After the merge: a journey the merged-away id already started is not started again here.
      const started = intentsForEvents(deps.campaigns.library, before, profile, batch.events, now);
      if (started.length > 0) {
        profile = { ...profile, oi: [...(profile.oi ?? []), ...started] };
        intents = started.length;
      }
    }
    const increments =
      deps.experiments === undefined
        ? []
        : experimentIncrements(before, profile, batch.events, deps.conversionWindowMs);
    if (increments.length > 0 && run.outbox !== undefined) {
      // Counted by the same write: the entry is named by the version this write makes.
      const id = (stored?.profile.version ?? 0) + 1;
      profile = { ...profile, ox: [...(profile.ox ?? []), { id, i: increments }] };
    }
    if (deps.audit !== undefined) {
      const actorOf = (event: TailorEvent) => run.actors.get(event.messageId) ?? "app:stream";
      const entries = consentAuditEntries(before, profile, batch.events, actorOf).filter(
        (entry) => !audited.has(entry.id),
      );
      if (entries.length > 0) {
        // Before the write: once the profile holds the change, a redelivery is a duplicate and audits nothing.
        await deps.audit.append(entries);
        for (const entry of entries) audited.add(entry.id);
      }
    }
    let releasedEmail: string | undefined;
    if (deps.identities !== undefined) {
      // Before the write, which then records that the customer holds its address (`ec`).
      const brought = { events: batch.events, retired };
      const claimed = await claimCustomerEmail(deps.identities, profile, brought, normalEmail);
      profile = claimed.profile;
      releasedEmail = claimed.previous;
      summary.identityWrites += claimed.writes;
    }
    const outcome = await deps.profiles.put(profile, stored);
    if (outcome.ok) {
      summary.duplicates += folded.duplicates;
      summary.profilesWritten++;
      summary.writeUnits += outcome.writeUnits;
      summary.intents += intents;
      summary.merges += absorbed.merged;
      summary.identityConflicts += absorbed.recorded;
      if (deps.identities !== undefined) {
        summary.identityWrites += await settleRetired(deps.identities, batch.customerId, retired);
        if (releasedEmail !== undefined) {
          await deps.identities.releaseEmail(releasedEmail, batch.customerId);
          summary.identityWrites++;
        }
      }
      if (run.outbox !== undefined) {
        summary.transitions += transitions.length;
        run.deltas.push(...sizeDeltas(transitions), ...absorbed.sizeDeltas);
        count(
          summary,
          await flushOutbox(
            run.outbox,
            { ...profile, version: outcome.version, itemBytes: outcome.itemBytes },
            now,
          ),
        );
      } else if (deps.experiments !== undefined && increments.length > 0) {
        await addCountsDirectly(deps.experiments, summary, batch.customerId, outcome.version, increments);
      }
      return "written";
    }
    summary.conflicts++;
    const reloaded = await reloadProfile(deps, batch.customerId);
    if (reloaded.erased || reloaded.forward !== undefined) {
      // Erased (the tombstone won) or merged away while this batch was in flight: take back this attempt's timers.
      if (deps.segments !== undefined) {
        const { timers } = deps.segments;
        await Promise.all(
          [...scheduled].map((dueAt) => timers.complete({ customerId: batch.customerId, dueAt })),
        );
      }
      if (reloaded.forward !== undefined) return { forward: reloaded.forward };
      // The ids this write was merging go with the erased customer.
      const { identities } = deps;
      if (identities !== undefined) {
        await Promise.all(retired.map((r) => identities.eraseForward(r.id, batch.customerId, now)));
      }
      return "erased";
    }
    stored = reloaded.stored;
  }
  throw new ProfileConflictError(batch.customerId, attempts);
}

/**
 * Step one of the customer's merges (see `retireIds`): forwards written at the ids it absorbs. The snapshots'
 * own outboxes (a crash left them unpublished) are delivered under their own ids; their clear fails on the forward,
 * which is harmless: every consumer of an outbox de-duplicates.
 */
async function retire(
  run: BatchRun,
  batch: CustomerBatch,
): Promise<{ retired: Retired[]; conflicts: CustomerBatch["conflicts"] }> {
  const { identities } = run.deps;
  if (identities === undefined || batch.absorbs.length === 0)
    return { retired: [], conflicts: batch.conflicts };
  const outcome = await retireIds(identities, batch.customerId, batch.absorbs, run.now);
  run.summary.identityWrites += outcome.writes;
  if (run.outbox !== undefined) {
    for (const { snapshot } of outcome.retired) {
      if (snapshot === undefined) continue;
      count(
        run.summary,
        await flushOutbox(run.outbox, { ...snapshot.profile, itemBytes: snapshot.itemBytes }, run.now),
      );
    }
  }
  return { retired: outcome.retired, conflicts: [...batch.conflicts, ...outcome.conflicts] };
}

/**
 * Whether a customer's events are all imported history: then the segment changes they cause start no campaign.
 * One live event among them and the transitions are live (it may be what caused them).
 */
function onlyHistory(events: readonly TailorEvent[]): boolean {
  return events.length > 0 && events.every((event) => event.historical === true);
}

/** Experiment counts without an outbox (no `segments`): added right after the write, named by its version. */
async function addCountsDirectly(
  experiments: ExperimentCounters,
  summary: IngestSummary,
  customerId: string,
  version: number,
  increments: readonly ExperimentIncrement[],
): Promise<void> {
  try {
    summary.experimentWrites += await experiments.add(counterFlushId(customerId, version), increments);
  } catch {
    summary.experimentFailures += increments.length;
  }
}

function count(summary: IngestSummary, flushed: FlushResult): void {
  summary.transitionsPublished += flushed.published;
  summary.experimentWrites += flushed.counterWrites;
  summary.outboxWrites += flushed.outboxWrites;
  summary.outboxWriteUnits += flushed.writeUnits;
  summary.intentsEnqueued += flushed.enqueued;
  summary.intentsTimed += flushed.timed;
  summary.sendTimerWrites += flushed.sendTimerWrites;
}
