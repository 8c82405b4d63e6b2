import type { ArchivedRecord } from "../domain/events/archived-record.js";
import type { ArchiveObjectRead, EventArchive } from "../ports.js";
import type { SimRecord } from "./records.js";

/** One simulated event as the raw archive would hold it: its JSON bytes, arrived when it happened. */
export function archivedSimRecord(record: SimRecord, sequence: number): ArchivedRecord {
  return {
    v: 1,
    shardId: "shardId-000000000000",
    partitionKey: record.partitionKey,
    sequenceNumber: String(sequence),
    arrivedAt: new Date(record.at).toISOString(),
    data: Buffer.from(JSON.stringify(record.event)).toString("base64"),
  };
}

/**
 * An in-memory event archive of the given records, one object per day of arrival, read like the S3 one (by time
 * of arrival): `tailor train` on the simulator's history and tests run the training workflow on it.
 */
export function memoryArchive(records: readonly ArchivedRecord[]): EventArchive {
  const byDay = new Map<string, ArchivedRecord[]>();
  for (const record of records) {
    const day = record.arrivedAt.slice(0, 10);
    const list = byDay.get(day);
    if (list === undefined) byDay.set(day, [record]);
    else list.push(record);
  }
  const days = [...byDay].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    async *objects(fromMs: number, toMs: number): AsyncIterable<ArchiveObjectRead> {
      for (const [day, list] of days) {
        const inRange = list.filter((r) => {
          const at = Date.parse(r.arrivedAt);
          return at >= fromMs && at <= toMs;
        });
        if (inRange.length === 0) continue;
        yield {
          key: `events/${day}`,
          records: inRange,
          outsideRange: list.length - inRange.length,
          badLines: [],
        };
      }
    },
  };
}
