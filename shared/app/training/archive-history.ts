import type { ArchivedRecord } from "#shared/domain/events/archived-record.js";
import type { TailorEvent } from "#shared/domain/events/index.js";
import { stableShare } from "#shared/domain/models/stable-hash.js";
import type { EventArchive, StreamRecord } from "#shared/ports.js";
import { decodeRecords } from "../decode-records.js";
import type { HistoryRecord } from "./feature-table.js";

/** Customers a history holds at most by default (a sample by hash beyond). */
export const HISTORY_MAX_CUSTOMERS = 200_000;

/** The range of the archive to read and how much of it to keep. */
export interface ArchiveHistoryRequest {
  /** Epoch ms: records that arrived at or after it. */
  readonly fromMs: number;
  /** Epoch ms: records that arrived at or before it. */
  readonly toMs: number;
  /** Customers kept at most: beyond, those with the lowest hash of their id (a stable sample). @default 200,000 */
  readonly maxCustomers?: number;
}

/** The shop's history read from the archive, and what could not be used. */
export interface ArchiveHistory {
  /** The decoded events of the customers kept, as the trainer takes them. */
  readonly history: HistoryRecord[];
  readonly customers: number;
  /** Customers left out of the sample (0 when all fit). */
  readonly sampledOut: number;
  /** Archive objects read. */
  readonly objects: number;
  /** Records read in the range. */
  readonly records: number;
  /** Events decoded (a record may hold an array of events). */
  readonly events: number;
  /** Records or elements ingest would quarantine (not valid events): counted, not learned from. */
  readonly invalid: number;
  /** Lines of the archive that are not records, and objects that could not be read. */
  readonly badLines: number;
  readonly unreadableObjects: readonly string[];
}

/** A customer's place in the sample: the lowest are kept. */
const customerHash = (customerId: string): number => stableShare(customerId);

/** Keeps the `limit` customers of lowest hash; returns the new threshold (the hash of the first left out). */
function prune(
  byCustomer: Map<string, TailorEvent[]>,
  limit: number,
  dropped: Set<string>,
  threshold: number,
): number {
  if (byCustomer.size <= limit) return threshold;
  const ranked = [...byCustomer.keys()].sort((a, b) => customerHash(a) - customerHash(b));
  for (const out of ranked.slice(limit)) {
    byCustomer.delete(out);
    dropped.add(out);
  }
  return Math.min(threshold, customerHash(ranked[limit] ?? ""));
}

function streamRecord(record: ArchivedRecord): StreamRecord {
  return {
    sequenceNumber: record.sequenceNumber,
    ...(record.subsequenceNumber === undefined ? {} : { subSequenceNumber: record.subsequenceNumber }),
    partitionKey: record.partitionKey,
    shardId: record.shardId,
    data: Buffer.from(record.data, "base64"),
    approximateArrivalTimestamp: Date.parse(record.arrivedAt),
  };
}

/**
 * Reads the raw event archive over a range (the Firehose objects, through the {@link EventArchive} port replay
 * uses) and decodes every record with ingest's own decoder (gzip, arrays, the arrival time for an event without
 * one), so training sees the events ingest folded. Bounded: past `maxCustomers`, customers are kept by the lowest
 * hash of their id (the same customers on every run), the others dropped as their events come.
 */
export async function readArchiveHistory(
  archive: EventArchive,
  request: ArchiveHistoryRequest,
): Promise<ArchiveHistory> {
  const limit = request.maxCustomers ?? HISTORY_MAX_CUSTOMERS;
  const byCustomer = new Map<string, TailorEvent[]>();
  /** Customers at or above this hash are out of the sample. */
  let threshold = Number.POSITIVE_INFINITY;
  const dropped = new Set<string>();
  const counts = { objects: 0, records: 0, events: 0, invalid: 0, badLines: 0 };
  const unreadableObjects: string[] = [];
  for await (const object of archive.objects(request.fromMs, request.toMs)) {
    counts.objects++;
    counts.badLines += object.badLines.length;
    if (object.unreadable !== undefined) unreadableObjects.push(`${object.key}: ${object.unreadable}`);
    counts.records += object.records.length;
    for (const entry of decodeRecords(object.records.map(streamRecord), request.toMs)) {
      if (!entry.ok) {
        counts.invalid++;
        continue;
      }
      counts.events++;
      const id = entry.event.customerId;
      if (customerHash(id) >= threshold) {
        dropped.add(id);
        continue;
      }
      const events = byCustomer.get(id);
      if (events === undefined) byCustomer.set(id, [entry.event]);
      else events.push(entry.event);
      // Pruned in steps (a quarter over the limit), so the sort runs rarely.
      if (byCustomer.size > limit + Math.ceil(limit / 4))
        threshold = prune(byCustomer, limit, dropped, threshold);
    }
  }
  prune(byCustomer, limit, dropped, threshold);
  const history: HistoryRecord[] = [];
  for (const events of byCustomer.values()) for (const decoded of events) history.push({ decoded });
  return {
    history,
    customers: byCustomer.size,
    sampledOut: dropped.size,
    ...counts,
    unreadableObjects,
  };
}
