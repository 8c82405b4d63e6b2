import { type KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import {
  PUT_RECORDS_MAX_BYTES,
  PUT_RECORDS_MAX_ENTRIES,
  putRecordBytes,
} from "../domain/events/put-records-limits.js";
import { DependencyUnavailableError } from "../errors.js";
import type { EventRecord, EventWriteOutcome, EventWriter } from "../ports.js";

/**
 * Splits record indexes into PutRecords calls: at most {@link PUT_RECORDS_MAX_ENTRIES} records and
 * {@link PUT_RECORDS_MAX_BYTES} each, in order.
 */
export function chunkForPutRecords(records: readonly EventRecord[], indexes: readonly number[]): number[][] {
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let bytes = 0;
  for (const index of indexes) {
    const record = records[index];
    if (record === undefined) continue;
    const size = putRecordBytes(record.data, record.customerId);
    if (
      chunk.length >= PUT_RECORDS_MAX_ENTRIES ||
      (chunk.length > 0 && bytes + size > PUT_RECORDS_MAX_BYTES)
    ) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(index);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Options of {@link KinesisEventWriter}. */
export interface KinesisEventWriterOptions {
  readonly client: KinesisClient;
  readonly streamName: string;
  /** Calls per record, the first included, before a refused record is given up. @default 3 */
  readonly maxAttempts?: number;
  /** Wait before the first retry; doubles per retry. @default 50 */
  readonly backoffMs?: number;
  /** @default real timers */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Puts Segment-spec events on a Kinesis stream with PutRecords, partition key = the customer. Records are sent
 * in calls within the API limits; entries the stream refuses (throttled, internal failure) are sent again, and
 * only those, up to `maxAttempts` times with a doubling backoff. A call that fails as a whole counts as every
 * entry of it refused. Order is kept within a call; a retried entry may land after later ones (the fold sorts
 * by event time, so it does not matter).
 */
export class KinesisEventWriter implements EventWriter {
  readonly #client: KinesisClient;
  readonly #streamName: string;
  readonly #maxAttempts: number;
  readonly #backoffMs: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: KinesisEventWriterOptions) {
    this.#client = options.client;
    this.#streamName = options.streamName;
    this.#maxAttempts = options.maxAttempts ?? 3;
    this.#backoffMs = options.backoffMs ?? 50;
    this.#sleep = options.sleep ?? realSleep;
  }

  async put(records: readonly EventRecord[]): Promise<EventWriteOutcome> {
    let pending = records.map((_, index) => index);
    let accepted = 0;
    let lastError: unknown;
    for (let attempt = 1; pending.length > 0 && attempt <= this.#maxAttempts; attempt++) {
      if (attempt > 1) await this.#sleep(this.#backoffMs * 2 ** (attempt - 2));
      const refused: number[] = [];
      for (const chunk of chunkForPutRecords(records, pending)) {
        const outcome = await this.#putChunk(records, chunk);
        if (outcome.error !== undefined) lastError = outcome.error;
        accepted += chunk.length - outcome.refused.length;
        refused.push(...outcome.refused);
      }
      pending = refused;
    }
    if (accepted === 0 && pending.length > 0 && lastError !== undefined) {
      throw new DependencyUnavailableError(`PutRecords to ${this.#streamName} failed`, lastError);
    }
    return { accepted, rejected: pending };
  }

  async #putChunk(
    records: readonly EventRecord[],
    chunk: readonly number[],
  ): Promise<{ refused: number[]; error?: unknown }> {
    const entries = chunk.flatMap((index) => {
      const record = records[index];
      return record === undefined ? [] : [{ PartitionKey: record.customerId, Data: record.data }];
    });
    try {
      const out = await this.#client.send(
        new PutRecordsCommand({ StreamName: this.#streamName, Records: entries }),
      );
      const results = out.Records ?? [];
      // Results come back in request order; an entry without a result is treated as refused.
      return {
        refused: chunk.filter((_, i) => {
          const result = results[i];
          return (
            result === undefined || result.ErrorCode !== undefined || result.SequenceNumber === undefined
          );
        }),
      };
    } catch (error) {
      return { refused: [...chunk], error };
    }
  }
}
