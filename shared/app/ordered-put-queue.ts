import {
  PUT_RECORD_MAX_BYTES,
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_ENTRIES,
  putRecordBytes,
} from "../domain/events/put-records-limits.js";
import type { StreamEntry } from "../ports.js";

/** Bytes an entry counts against its call's and its own limit: its data and its partition key. */
export function entryBytes(entry: StreamEntry): number {
  return putRecordBytes(entry.data, entry.partitionKey);
}

/** A record waiting to be put, and how many calls refused it so far. */
export interface QueuedEntry {
  readonly entry: StreamEntry;
  readonly bytes: number;
  attempts: number;
}

/**
 * Records waiting to be put, in the order they were added, handed out as PutRecords calls that keep each
 * partition key's records in that order whatever the stream refuses: a call carries at most one record per key,
 * the first one still waiting, so a refused record stays ahead of its key's later records, which wait for the
 * call that accepts it. (Two records of one key in one call could land out of order when only the first is
 * refused.) Calls hold at most {@link PUT_RECORDS_MAX_ENTRIES} records and {@link PUT_RECORDS_MAX_BYTES}.
 */
export class OrderedPutQueue {
  #waiting: QueuedEntry[] = [];

  /** How many records wait. */
  get size(): number {
    return this.#waiting.length;
  }

  /** Adds a record (of at most {@link PUT_RECORD_MAX_BYTES}) after those waiting. */
  add(entry: StreamEntry): void {
    const bytes = entryBytes(entry);
    if (bytes > PUT_RECORD_MAX_BYTES) {
      throw new RangeError(`a record of ${bytes} bytes passes the stream's ${PUT_RECORD_MAX_BYTES}`);
    }
    this.#waiting.push({ entry, bytes, attempts: 0 });
  }

  /** The next call: the first waiting record of each key, in order, within the call's limits. */
  nextCall(): QueuedEntry[] {
    const call: QueuedEntry[] = [];
    const keys = new Set<string>();
    let bytes = 0;
    for (const queued of this.#waiting) {
      if (call.length >= PUT_RECORDS_MAX_ENTRIES) break;
      const key = queued.entry.partitionKey;
      if (keys.has(key)) continue;
      // A key whose first record does not fit this call is held back whole, so its later records wait too.
      keys.add(key);
      if (bytes + queued.bytes > PUT_RECORDS_MAX_BYTES) continue;
      call.push(queued);
      bytes += queued.bytes;
    }
    return call;
  }

  /**
   * Settles a call given by {@link nextCall}: the records the stream took leave the queue; the refused ones (by
   * index into `call`) stay where they were, one attempt more. Resolves the refused records.
   */
  settle(call: readonly QueuedEntry[], refused: ReadonlySet<number>): QueuedEntry[] {
    const taken = new Set(call.filter((_, index) => !refused.has(index)));
    const again = call.filter((_, index) => refused.has(index));
    for (const queued of again) queued.attempts++;
    this.#waiting = this.#waiting.filter((queued) => !taken.has(queued));
    return again;
  }
}
