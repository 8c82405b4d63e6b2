import type { ArchivedRecord } from "#shared/domain/events/archived-record.js";
import type {
  ArchiveObjectRead,
  EventArchive,
  RecordStream,
  StreamEntry,
  StreamPutResult,
} from "#shared/ports.js";

let sequence = 0;

/** An archived record of `partitionKey` holding `body` (UTF-8), arrived at `arrivedAt` (ISO). */
export function archived(
  partitionKey: string,
  body: string,
  arrivedAt = "2026-12-06T18:30:00.000Z",
): ArchivedRecord {
  sequence++;
  return {
    v: 1,
    shardId: "shardId-000000000000",
    partitionKey,
    sequenceNumber: String(49_000_000 + sequence),
    arrivedAt,
    data: Buffer.from(body).toString("base64"),
  };
}

/** An archive of objects given whole; counts how many it has handed out (the reader's progress). */
export class InMemoryArchive implements EventArchive {
  handedOut = 0;
  readonly asked: { fromMs: number; toMs: number }[] = [];

  constructor(private readonly contents: readonly ArchiveObjectRead[]) {}

  async *objects(fromMs: number, toMs: number): AsyncIterable<ArchiveObjectRead> {
    this.asked.push({ fromMs, toMs });
    for (const object of this.contents) {
      this.handedOut++;
      yield object;
    }
  }
}

/** One object read of `records` (all in range). */
export function objectOf(key: string, records: readonly ArchivedRecord[]): ArchiveObjectRead {
  return { key, records, outsideRange: 0, badLines: [] };
}

/** How the fake stream answers one entry of a call: accept it, refuse it with a code. */
export type EntryVerdict = "ok" | { readonly refuse: string };

/**
 * A stream that keeps what it accepted, in order, and every call made; `verdict` decides each entry (by call
 * number, 1-based), `fail` makes a whole call throw.
 */
export class FakeRecordStream implements RecordStream {
  readonly accepted: StreamEntry[] = [];
  readonly calls: StreamEntry[][] = [];

  constructor(
    private readonly verdict: (call: number, entry: StreamEntry) => EntryVerdict = () => "ok",
    private readonly fail: (call: number) => Error | undefined = () => undefined,
  ) {}

  async putRecords(entries: readonly StreamEntry[]): Promise<StreamPutResult> {
    this.calls.push([...entries]);
    const call = this.calls.length;
    const error = this.fail(call);
    if (error !== undefined) throw error;
    const refused: { index: number; code: string }[] = [];
    entries.forEach((entry, index) => {
      const verdict = this.verdict(call, entry);
      if (verdict === "ok") this.accepted.push(entry);
      else refused.push({ index, code: verdict.refuse });
    });
    return { refused };
  }

  /** The bodies accepted for `partitionKey`, in order. */
  bodiesOf(partitionKey: string): string[] {
    return this.accepted
      .filter((entry) => entry.partitionKey === partitionKey)
      .map((entry) => Buffer.from(entry.data).toString("utf8"));
  }
}
