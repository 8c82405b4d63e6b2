import type { ArchivedRecord } from "#shared/domain/events/archived-record.js";
import type { ArchiveObjectRead, EventArchive, TrainingObjects } from "#shared/ports.js";

/** Training objects in a map, for unit tests (the adapters have their own tests on files and the S3 emulator). */
export class MemoryTrainingObjects implements TrainingObjects {
  readonly objects = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key);
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    this.objects.set(key, body);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }
}

/** One raw event as the archive holds it: its JSON bytes, arrived when it happened. */
export function archivedEvent(event: Record<string, unknown>, at: number, sequence: number): ArchivedRecord {
  return {
    v: 1,
    shardId: "shardId-000000000000",
    partitionKey: String(event.userId ?? event.anonymousId ?? "anonymous"),
    sequenceNumber: String(sequence),
    arrivedAt: new Date(at).toISOString(),
    data: Buffer.from(JSON.stringify(event)).toString("base64"),
  };
}

/** An archive of one object per day holding the given records, read like the S3 one (by time of arrival). */
export function memoryArchive(records: readonly ArchivedRecord[]): EventArchive & { reads: number } {
  const byDay = new Map<string, ArchivedRecord[]>();
  for (const record of records) {
    const day = record.arrivedAt.slice(0, 10);
    const list = byDay.get(day);
    if (list === undefined) byDay.set(day, [record]);
    else list.push(record);
  }
  const archive = {
    reads: 0,
    async *objects(fromMs: number, toMs: number): AsyncIterable<ArchiveObjectRead> {
      for (const [day, list] of [...byDay].sort(([a], [b]) => (a < b ? -1 : 1))) {
        archive.reads++;
        const inRange = list.filter(
          (r) => Date.parse(r.arrivedAt) >= fromMs && Date.parse(r.arrivedAt) <= toMs,
        );
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
  return archive;
}
