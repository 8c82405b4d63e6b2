import type { ArchivedRecord } from "../domain/events/archived-record.js";
import { PUT_RECORD_MAX_BYTES } from "../domain/events/put-records-limits.js";
import { TailorError } from "../errors.js";
import type { EventArchive, RecordStream } from "../ports.js";
import { entryBytes, OrderedPutQueue, type QueuedEntry } from "./ordered-put-queue.js";

/** Bad lines and skipped records named in a summary at most (all are counted). */
export const REPLAY_NAMED_MAX = 100;

/** A line of an archive object that is not an archived record. */
export interface ReplayBadLine {
  readonly object: string;
  readonly line: number;
  readonly reason: string;
}

/** An archived record that was read but cannot go back on the stream. */
export interface ReplaySkippedRecord {
  readonly object: string;
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly subsequenceNumber?: number;
  readonly reason: string;
}

/** What a replay did. */
export interface ReplaySummary {
  readonly dryRun: boolean;
  /** Archive objects read (the unreadable ones included). */
  objects: number;
  /** Objects that could not be read at all, with why. */
  readonly unreadableObjects: { readonly object: string; readonly reason: string }[];
  /** Records that arrived in the range. */
  read: number;
  /** Records the stream accepted (0 in a dry run). */
  put: number;
  /** Records of the objects read that arrived outside the range (the hours either side), left alone. */
  outsideRange: number;
  /** Records in the range from shards other than those asked for, left alone. */
  otherShards: number;
  /** Records in the range that cannot be put; the first {@link REPLAY_NAMED_MAX} are in `skippedRecords`. */
  skipped: number;
  readonly skippedRecords: ReplaySkippedRecord[];
  /** Lines that are not records; the first {@link REPLAY_NAMED_MAX} are in `badLineList`. */
  badLines: number;
  readonly badLineList: ReplayBadLine[];
  /** PutRecords calls, retries included. */
  calls: number;
  /** Refusals: records a call refused, to be put again (a record refused twice counts twice). */
  retried: number;
}

/** The replay stopped before its end: the stream kept refusing records. `summary` says what was done. */
export class ReplayIncompleteError extends TailorError {
  readonly summary: ReplaySummary;

  constructor(message: string, summary: ReplaySummary, cause?: unknown) {
    super(message, { retryable: true, cause });
    this.summary = summary;
  }
}

/** What a replay needs. */
export interface ReplayDeps {
  readonly archive: EventArchive;
  readonly stream: RecordStream;
  /** @default real timers */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The range to replay and how. */
export interface ReplayRequest {
  /** Epoch ms; records that arrived at or after it. */
  readonly fromMs: number;
  /** Epoch ms; records that arrived at or before it. */
  readonly toMs: number;
  /**
   * Only the records of these shards (the `shardId`s of the failed batches' dead-letter messages).
   * @default - every shard
   */
  readonly shards?: ReadonlySet<string>;
  /** Read and count, put nothing. @default false */
  readonly dryRun?: boolean;
  /** Calls a record may be refused by before the replay stops. @default 8 */
  readonly maxAttempts?: number;
  /** Wait after a call that refused records; doubles per such call in a row, up to `maxBackoffMs`. @default 100 */
  readonly backoffMs?: number;
  /** @default 5000 */
  readonly maxBackoffMs?: number;
  /** Records held waiting at most before calls are made (the look-ahead that fills calls with distinct keys). @default 2000 */
  readonly window?: number;
  /** Called after each object with the summary so far (progress). */
  readonly onObject?: (summary: Readonly<ReplaySummary>) => void;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function emptySummary(dryRun: boolean): ReplaySummary {
  return {
    dryRun,
    objects: 0,
    unreadableObjects: [],
    read: 0,
    put: 0,
    outsideRange: 0,
    otherShards: 0,
    skipped: 0,
    skippedRecords: [],
    badLines: 0,
    badLineList: [],
    calls: 0,
    retried: 0,
  };
}

/**
 * Puts the archived records that arrived in `[fromMs, toMs]` (of the `shards` asked for) back on the events stream, each with its bytes
 * untouched and its partition key, so ingest folds them like any record: after an ingest outage, this brings the
 * events of the failed batches in. Safe to run again or over records already folded, because ingest applies a
 * `messageId` once (an event without one gets the id derived from its bytes, the same on the way back);
 * that memory lasts 24 hours of processing time (`DEDUP_WINDOW_MS`), so records folded longer ago would count again.
 *
 * The archive is read object by object; records are put in PutRecords calls within the API's limits, each
 * partition key's records in archive order ({@link OrderedPutQueue}); the refused entries of a partial failure
 * (or of a call that failed as a whole for a passing reason) are put again after a doubling backoff. A record
 * refused `maxAttempts` times stops the replay with {@link ReplayIncompleteError}: running the range again is
 * harmless. Lines that are not records, objects that cannot be read and records that cannot be put are counted
 * and named in the summary, never dropped in silence. A dry run reads and counts only.
 */
export async function replayArchive(deps: ReplayDeps, request: ReplayRequest): Promise<ReplaySummary> {
  const summary = emptySummary(request.dryRun === true);
  const putter = new Putter(deps, request, summary);
  for await (const object of deps.archive.objects(request.fromMs, request.toMs)) {
    summary.objects++;
    if (object.unreadable !== undefined) {
      summary.unreadableObjects.push({ object: object.key, reason: object.unreadable });
    }
    summary.outsideRange += object.outsideRange;
    summary.badLines += object.badLines.length;
    for (const bad of object.badLines) {
      if (summary.badLineList.length >= REPLAY_NAMED_MAX) break;
      summary.badLineList.push({ object: object.key, ...bad });
    }
    for (const record of object.records) {
      if (request.shards === undefined || request.shards.has(record.shardId)) putter.add(object.key, record);
      else summary.otherShards++;
    }
    await putter.drainTo(request.window ?? 2000);
    request.onObject?.(summary);
  }
  await putter.drainTo(0);
  return summary;
}

/** The records on their way to the stream: queued, put in calls, retried. */
class Putter {
  readonly #queue = new OrderedPutQueue();
  readonly #stream: RecordStream;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #summary: ReplaySummary;
  readonly #dryRun: boolean;
  readonly #maxAttempts: number;
  readonly #backoffMs: number;
  readonly #maxBackoffMs: number;
  /** Calls in a row that refused records. */
  #failing = 0;

  constructor(deps: ReplayDeps, request: ReplayRequest, summary: ReplaySummary) {
    this.#stream = deps.stream;
    this.#sleep = deps.sleep ?? realSleep;
    this.#summary = summary;
    this.#dryRun = request.dryRun === true;
    this.#maxAttempts = request.maxAttempts ?? 8;
    this.#backoffMs = request.backoffMs ?? 100;
    this.#maxBackoffMs = request.maxBackoffMs ?? 5000;
  }

  add(object: string, record: ArchivedRecord): void {
    this.#summary.read++;
    const entry = { partitionKey: record.partitionKey, data: Buffer.from(record.data, "base64") };
    const bytes = entryBytes(entry);
    if (bytes > PUT_RECORD_MAX_BYTES) {
      this.#skip(object, record, `${bytes} bytes with its partition key; a record is at most 1 MiB`);
    } else if (!this.#dryRun) {
      this.#queue.add(entry);
    }
  }

  async drainTo(limit: number): Promise<void> {
    while (this.#queue.size > limit) await this.#call();
  }

  async #call(): Promise<void> {
    if (this.#failing > 0) {
      await this.#sleep(Math.min(this.#maxBackoffMs, this.#backoffMs * 2 ** (this.#failing - 1)));
    }
    const call = this.#queue.nextCall();
    this.#summary.calls++;
    let refused: Set<number>;
    let failure: unknown;
    try {
      const result = await this.#stream.putRecords(call.map((queued) => queued.entry));
      refused = new Set(result.refused.map((entry) => entry.index));
    } catch (error) {
      if (!(error instanceof TailorError && error.retryable)) throw error;
      refused = new Set(call.keys());
      failure = error;
    }
    const again = this.#queue.settle(call, refused);
    this.#summary.put += call.length - again.length;
    this.#summary.retried += again.length;
    this.#failing = again.length > 0 ? this.#failing + 1 : 0;
    this.#giveUpAfter(again, failure);
  }

  #giveUpAfter(refused: readonly QueuedEntry[], failure: unknown): void {
    const spent = refused.filter((queued) => queued.attempts >= this.#maxAttempts);
    if (spent.length === 0) return;
    throw new ReplayIncompleteError(
      `the stream refused ${spent.length} record(s) ${this.#maxAttempts} times in a row; ` +
        `${this.#summary.put} of ${this.#summary.read} records read so far were put — ` +
        "run the same replay again when the stream takes writes (records put twice are applied once)",
      this.#summary,
      failure,
    );
  }

  #skip(object: string, record: ArchivedRecord, reason: string): void {
    this.#summary.skipped++;
    if (this.#summary.skippedRecords.length >= REPLAY_NAMED_MAX) return;
    const { shardId, sequenceNumber, subsequenceNumber } = record;
    this.#summary.skippedRecords.push({
      object,
      shardId,
      sequenceNumber,
      ...(subsequenceNumber === undefined ? {} : { subsequenceNumber }),
      reason,
    });
  }
}
