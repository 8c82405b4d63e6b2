import { countEventType } from "../domain/events/event-type-dimension.js";
import type { ValidationIssue } from "../domain/events/index.js";
import { customerHash } from "../domain/privacy/customer-hash.js";
import { foldEvents } from "../domain/profile/index.js";
import type { QuarantinedRecord, SizeDelta, StoredProfile } from "../ports.js";
import {
  applyProductUpdates,
  isProductUpdate,
  type ProductPatch,
  readProductUpdate,
} from "./catalog/product-update.js";
import { type DecodedEntry, decodeRecords } from "./decode-records.js";
import type { OutboxDeps } from "./flush-outbox.js";
import { resolveIdentities } from "./identity/resolve-identities.js";
import {
  type BatchRun,
  type CustomerBatch,
  emptySummary,
  type IngestDeps,
  type IngestRecord,
  type IngestResult,
  type IngestSummary,
} from "./ingest/ingest-types.js";
import { writeCustomer } from "./ingest/write-customer.js";
import { mapLimit } from "./map-limit.js";
import { consentActor, isConsentEvent } from "./privacy/consent-audit.js";
import {
  hasSignificantEvent,
  type RealtimeScores,
  scoreBatchInRealTime,
} from "./rescoring/realtime-scoring.js";

export type { IngestDeps, IngestRecord, IngestResult, IngestSummary } from "./ingest/ingest-types.js";

/**
 * Ingests one stream batch, in stages:
 *
 * 1. **decode** (`decode-records.ts`, de-aggregation before it in the handler): validate every record, quarantine
 *    the malformed ones with their bytes and reason, group the rest by id;
 * 2. **resolve identities** (`identity/resolve-identities.ts`, with `identities`): the one read that loads the
 *    batch's profiles also finds merged ids' forwards; events are regrouped by the customer they belong to, and
 *    the links they make are decided;
 * 3. **score** the customers with a significant event (with `scoring`);
 * 4. **merge, dedup and fold, evaluate, write** (`ingest/write-customer.ts`), per customer: ids merged in, events
 *    folded, segments and journeys evaluated, ONE conditional write carrying the outbox;
 * 5. **side effects flushed from the outbox** (`flush-outbox.ts`) right after each write;
 * 6. erased customers' events dropped and audited, segment sizes added once for the batch.
 *
 * Each changed profile is written once with an optimistic version check (reloading and refolding on a conflict). A customer whose write cannot be
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
  const summary = emptySummary(records.length);

  const byCustomer = new Map<string, CustomerBatch>();
  const quarantining: Promise<void>[] = [];
  /** Actors of the consent events, by messageId (`app:<library>` from the raw event). */
  const actors = new Map<string, string>();
  const productEntries: Extract<DecodedEntry, { ok: true }>[] = [];
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
    countEventType(summary.eventsByType, entry.event.kind);
    if (isProductUpdate(entry.event)) {
      // The catalog's, not a customer's: it makes no profile for the id that sent it.
      productEntries.push(entry);
      continue;
    }
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
  const [{ customers, loaded, erased }, context, productFailures] = await Promise.all([
    resolveBatch(deps, summary, [...byCustomer.values()]),
    byCustomer.size === 0 || deps.segments === undefined ? {} : deps.segments.context(),
    ingestProductEvents(deps, summary, productEntries, now),
    Promise.all(quarantining),
  ]);
  for (const sequenceNumber of productFailures) failed.add(sequenceNumber);
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

/**
 * The `Product Updated` events of the batch, applied to the catalog (`applyProductUpdates`); one whose properties
 * cannot update a product is quarantined with its bytes and reason. Resolves the sequence numbers to fail back
 * (a catalog write or publish failed, or a quarantine put): their redelivery re-applies the same events, a no-op.
 */
async function ingestProductEvents(
  deps: IngestDeps,
  summary: IngestSummary,
  entries: readonly Extract<DecodedEntry, { ok: true }>[],
  now: number,
): Promise<string[]> {
  if (entries.length === 0) return [];
  if (deps.catalog === undefined) {
    summary.productEventsIgnored += entries.length;
    return [];
  }
  const failed: string[] = [];
  const byPatch = new Map<ProductPatch, Extract<DecodedEntry, { ok: true }>>();
  const quarantine = async (
    entry: Extract<DecodedEntry, { ok: true }>,
    reason: string,
    issues: ValidationIssue[],
  ) => {
    const bad: DecodedEntry = {
      ok: false,
      record: entry.record,
      elementIndex: undefined,
      reason,
      issues,
      raw: entry.json,
    };
    try {
      await deps.quarantine.put(quarantined(bad, now));
      summary.quarantined++;
    } catch {
      failed.push(entry.record.sequenceNumber);
    }
  };
  const patches: ProductPatch[] = [];
  const rejected: Promise<void>[] = [];
  for (const entry of entries) {
    const read = readProductUpdate(entry.json, entry.event.timestamp);
    if (!read.ok) rejected.push(quarantine(entry, read.reason, read.issues));
    else {
      patches.push(read.patch);
      byPatch.set(read.patch, entry);
    }
  }
  try {
    const result = await applyProductUpdates(deps.catalog, patches);
    summary.productEvents += patches.length - result.rejected.length;
    summary.productEventsStale += result.stale;
    summary.catalogChanges += result.changes;
    for (const { patch, reason } of result.rejected) {
      const entry = byPatch.get(patch);
      if (entry !== undefined) rejected.push(quarantine(entry, `Product Updated: ${reason}`, []));
    }
  } catch {
    for (const entry of byPatch.values()) failed.push(entry.record.sequenceNumber);
  }
  await Promise.all(rejected);
  return failed;
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
    await Promise.all([
      ...resolved.orphans.map(({ id, to }) => identities.eraseForward(id, to, deps.clock.now())),
      // A snapshot its customer already holds (a crash came before the clear) is cleared now.
      ...resolved.settled.map(({ id, to }) => identities.settleForward(id, to)),
    ]);
    summary.identityWrites += resolved.orphans.length + resolved.settled.length;
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
