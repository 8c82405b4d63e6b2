import { type ExperimentIncrement, experimentIncrements } from "../../domain/analytics/index.js";
import { intentsForEvents, watchedKinds } from "../../domain/campaigns/index.js";
import { purchasesOfBatch, type WatchKind, watchesOfBatch } from "../../domain/catalog/index.js";

/** Without campaigns to ask, every interest is recorded. */
const ALL_WATCH_KINDS: ReadonlySet<WatchKind> = new Set(["viewed", "carted"]);

import type { TailorEvent } from "../../domain/events/index.js";
import { foldEvents, type Profile } from "../../domain/profile/index.js";
import type { SegmentTransition } from "../../domain/segments/contracts.js";
import { IdentityRaceError, ProfileConflictError } from "../../errors.js";
import type { ExperimentCounters, Forward, StoredProfile, WatchIndex } from "../../ports.js";
import { consentAuditEntries } from "../consent/consent-audit-entries.js";
import { counterFlushId, flushOutbox } from "../flush-outbox.js";
import {
  absorbInto,
  claimCustomerEmail,
  type Retired,
  retireIds,
  settleRetired,
} from "../identity/absorb-ids.js";
import { forwardLink } from "../identity/resolve-identities.js";
import type { RealtimeScores } from "../rescoring/realtime-scoring.js";
import { withScores } from "../rescoring/rescore-slice.js";
import { sizeDeltas } from "../segment-deps.js";
import { settleSegments } from "../settle-segments.js";
import {
  type BatchRun,
  type CustomerBatch,
  count,
  type IngestDeps,
  type IngestSummary,
} from "./ingest-types.js";

/** Forwards a customer's events follow at most when its id turns out to be merged away while they are written. */
const MAX_REDIRECTS = 3;

/**
 * Writes one customer's share of the batch ({@link writeCustomerOnce}); when the customer turns out to have been
 * merged into another meanwhile (its key now holds a forward), its events follow the forward and are written there.
 */
export async function writeCustomer(
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
    current = {
      customerId: to,
      events: current.events.map((event) => ({ ...event, customerId: to })),
      sequenceNumbers: current.sequenceNumbers,
      absorbs: [
        {
          id: current.customerId,
          link: forwardLink(current.customerId, forward),
          source: undefined,
          forward,
        },
      ],
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
  let watched = false;
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
    if (deps.watches !== undefined && !watched) {
      // Before the write, like the audit: once the profile holds the events, a redelivery folds nothing and
      // would not record them. Idempotent, so a retried write records nothing new.
      const kinds = deps.campaigns === undefined ? ALL_WATCH_KINDS : watchedKinds(deps.campaigns.library);
      if (kinds.size > 0) summary.watchWrites += await recordWatches(deps.watches, kinds, before, batch, now);
      watched = true;
    }
    let releasedEmail: string | undefined;
    if (deps.identities !== undefined) {
      // Before the write, which then records that the customer holds its address (`ec`).
      const brought = { events: batch.events, retired };
      const claimed = await claimCustomerEmail(deps.identities, profile, brought);
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
 * The batch's views and cart adds into the watch index (once per customer, product, kind and day: see
 * `watchesOfBatch`), of the kinds some catalog campaign watches, and the products it bought out of it. Resolves
 * the writes made.
 */
async function recordWatches(
  watches: WatchIndex,
  kinds: ReadonlySet<WatchKind>,
  before: Profile | undefined,
  batch: CustomerBatch,
  now: number,
): Promise<number> {
  const bought = purchasesOfBatch(batch.customerId, batch.events);
  const found = watchesOfBatch(before, batch.customerId, batch.events, now);
  const recorded = await watches.record(found.filter((watch) => kinds.has(watch.how)));
  return recorded + (bought.length === 0 ? 0 : await watches.forget(batch.customerId, bought));
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
  const lost = outcome.conflicts[0];
  if (lost !== undefined) {
    // Its events may have been regrouped here: redelivered, they are resolved to the customer that won.
    throw new IdentityRaceError(batch.customerId, lost.i, lost.o ?? "another customer");
  }
  if (run.outbox !== undefined) {
    for (const { snapshot } of outcome.retired) {
      if (snapshot === undefined) continue;
      count(
        run.summary,
        await flushOutbox(run.outbox, { ...snapshot.profile, itemBytes: snapshot.itemBytes }, run.now),
      );
    }
  }
  return { retired: outcome.retired, conflicts: batch.conflicts };
}

/**
 * Whether a customer's events are all imported history: then the segment changes they cause start no campaign.
 * One live event among them and the transitions are live (it may be what caused them).
 */
function onlyHistory(events: readonly TailorEvent[]): boolean {
  return events.length > 0 && events.every((event) => event.historical === true);
}

/** One customer's profile, whether it was erased, and the forward at its key if it was merged into another. */
export async function reloadProfile(
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
