import { type KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from "@aws-sdk/client-kinesis";
import {
  PUT_RECORD_MAX_BYTES,
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_ENTRIES,
  putRecordBytes,
} from "#shared/domain/events/put-records-limits.js";
import { LocalStackError } from "./local-errors.js";

/** One record to put. */
export interface PutEntry {
  readonly partitionKey: string;
  readonly data: Uint8Array;
}

export interface PutAllOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly records: Iterable<PutEntry>;
  /** Pace the puts to about this many records per second. Default: as fast as the stream takes them. */
  readonly ratePerSecond?: number;
  /** Called after each successful call with the running total of records put. */
  readonly onProgress?: (put: number) => void;
  /** Attempts for the failed entries of a partial failure before giving up. Default 10. */
  readonly maxAttempts?: number;
  /** First backoff before retrying failed entries; doubles per attempt. Default 50 ms. */
  readonly backoffMs?: number;
}

export interface PutAllResult {
  readonly put: number;
  /** Calls to PutRecords, retries included. */
  readonly calls: number;
  /** Entries that had to be sent again after a partial failure. */
  readonly retried: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Splits records into PutRecords-sized batches (≤ `maxEntries` records, ≤ 5 MiB), lazily and in order. */
export function* putBatches(
  records: Iterable<PutEntry>,
  maxEntries = PUT_RECORDS_MAX_ENTRIES,
): Generator<PutEntry[]> {
  let batch: PutEntry[] = [];
  let bytes = 0;
  for (const entry of records) {
    const size = putRecordBytes(entry.data, entry.partitionKey);
    if (size > PUT_RECORD_MAX_BYTES) {
      throw new LocalStackError(
        `a record for ${entry.partitionKey} is ${size} bytes; Kinesis takes at most 1 MiB`,
      );
    }
    if (batch.length >= maxEntries || (batch.length > 0 && bytes + size > PUT_RECORDS_MAX_BYTES)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(entry);
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

/**
 * Puts every record on the stream with PutRecords, in order, in batches within the API limits. A partial
 * failure (throttled or failed entries) is retried with backoff, sending only the failed entries again.
 */
export async function putAll(options: PutAllOptions): Promise<PutAllResult> {
  const { kinesis, streamName, ratePerSecond } = options;
  const maxAttempts = options.maxAttempts ?? 10;
  const backoffMs = options.backoffMs ?? 50;
  // With a rate, smaller batches (a tenth of a second's worth) keep the pace smooth.
  const maxEntries =
    ratePerSecond === undefined
      ? PUT_RECORDS_MAX_ENTRIES
      : Math.min(PUT_RECORDS_MAX_ENTRIES, Math.max(1, Math.ceil(ratePerSecond / 10)));
  const started = performance.now();
  let put = 0;
  let calls = 0;
  let retried = 0;
  for (const batch of putBatches(options.records, maxEntries)) {
    let pending: PutRecordsRequestEntry[] = batch.map((e) => ({
      PartitionKey: e.partitionKey,
      Data: e.data,
    }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > maxAttempts) {
        throw new LocalStackError(`${pending.length} records still failing after ${maxAttempts} attempts`);
      }
      if (attempt > 1) await sleep(backoffMs * 2 ** (attempt - 2));
      calls++;
      const out = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: pending }));
      const results = out.Records ?? [];
      const failed = pending.filter(
        (_, i) => results[i]?.ErrorCode !== undefined || results[i] === undefined,
      );
      put += pending.length - failed.length;
      retried += failed.length;
      pending = failed;
    }
    options.onProgress?.(put);
    if (ratePerSecond !== undefined && ratePerSecond > 0) {
      const due = started + (put / ratePerSecond) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
  }
  return { put, calls, retried };
}
