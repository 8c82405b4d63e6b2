import { decodeEvent, type TailorEvent } from "../domain/events/index.js";
import { foldEvents } from "../domain/profile/index.js";
import { ProfileConflictError } from "../errors.js";
import type { Clock, ProfileStore, Quarantine, StoredProfile } from "../ports.js";
import { mapLimit } from "./map-limit.js";

/** One record as delivered by the stream, before any decoding. */
export interface IngestRecord {
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  readonly shardId: string | undefined;
  readonly data: Uint8Array;
  /** Epoch ms at which the stream accepted the record. */
  readonly approximateArrivalTimestamp: number;
}

export interface IngestDeps {
  readonly profiles: ProfileStore;
  readonly quarantine: Quarantine;
  readonly clock: Clock;
  /** Optimistic write attempts per customer before its records are failed back to the stream. @default 5 */
  readonly maxWriteAttempts?: number;
  /** Profiles written in parallel. @default 16 */
  readonly writeConcurrency?: number;
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
  writeUnits: number;
  failedRecords: number;
}

export interface IngestResult {
  /** Sequence numbers to report back as batch item failures: the stream redelivers from the lowest. */
  readonly failed: ReadonlySet<string>;
  readonly summary: IngestSummary;
}

interface CustomerBatch {
  readonly customerId: string;
  readonly events: TailorEvent[];
  readonly sequenceNumbers: string[];
}

/**
 * Ingests one stream batch: decode and validate every record, quarantine the malformed ones with their bytes and
 * reason, group the rest by customer, load those profiles in one batch, fold, and write each changed profile once
 * with an optimistic version check (reloading and refolding on a conflict). A customer whose write cannot be
 * made has its records reported as failed, so the stream redelivers them; the fold's messageId memory makes
 * every redelivery harmless.
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
  };

  const byCustomer = new Map<string, CustomerBatch>();
  const quarantining: Promise<void>[] = [];
  for (const record of records) {
    const decoded = decodeEvent(record.data, now);
    if (!decoded.ok) {
      quarantining.push(
        deps.quarantine
          .put({
            reason: decoded.error.message,
            issues: decoded.error.issues,
            source: "kinesis",
            shardId: record.shardId,
            sequenceNumber: record.sequenceNumber,
            partitionKey: record.partitionKey,
            approximateArrivalTimestamp: record.approximateArrivalTimestamp,
            raw: record.data,
            receivedAt: now,
          })
          .then(
            () => {
              summary.quarantined++;
            },
            () => {
              failed.add(record.sequenceNumber);
            },
          ),
      );
      continue;
    }
    summary.events++;
    const { customerId } = decoded.event;
    let batch = byCustomer.get(customerId);
    if (batch === undefined) {
      batch = { customerId, events: [], sequenceNumbers: [] };
      byCustomer.set(customerId, batch);
    }
    batch.events.push(decoded.event);
    batch.sequenceNumbers.push(record.sequenceNumber);
  }
  summary.customers = byCustomer.size;

  const batches = [...byCustomer.values()];
  const [loaded] = await Promise.all([
    deps.profiles.getMany(batches.map((batch) => batch.customerId)),
    Promise.all(quarantining),
  ]);

  const outcomes = await mapLimit(batches, deps.writeConcurrency ?? 16, (batch) =>
    writeCustomer(deps, batch, loaded.get(batch.customerId), now, summary),
  );
  outcomes.forEach((outcome, index) => {
    if (outcome.status === "rejected") {
      for (const sequenceNumber of batches[index]?.sequenceNumbers ?? []) failed.add(sequenceNumber);
    }
  });
  summary.failedRecords = failed.size;
  return { failed, summary };
}

async function writeCustomer(
  deps: IngestDeps,
  batch: CustomerBatch,
  initial: StoredProfile | undefined,
  now: number,
  summary: IngestSummary,
): Promise<void> {
  const attempts = deps.maxWriteAttempts ?? 5;
  let stored = initial;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const folded = foldEvents(stored?.profile, batch.customerId, batch.events, now);
    if (!folded.changed) {
      summary.duplicates += folded.duplicates;
      summary.profilesUnchanged++;
      return;
    }
    const outcome = await deps.profiles.put(folded.profile, stored);
    if (outcome.ok) {
      summary.duplicates += folded.duplicates;
      summary.profilesWritten++;
      summary.writeUnits += outcome.writeUnits;
      return;
    }
    summary.conflicts++;
    stored = await deps.profiles.get(batch.customerId);
  }
  throw new ProfileConflictError(batch.customerId, attempts);
}
