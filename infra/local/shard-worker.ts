import {
  GetRecordsCommand,
  type GetRecordsCommandOutput,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import type { InvocationOutcome } from "./batch-response.js";
import type { CheckpointStore } from "./checkpoint-store.js";
import type { KinesisMappingSettings } from "./event-source-mapping.js";
import { arrivalMs, type ShardRecord } from "./kinesis-event.js";
import type { FailureCondition } from "./on-failure-record.js";

/** Lambda's synchronous invocation payload limit: a batch never exceeds it. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** Per-record envelope around the base64 data in the event (ids, ARNs, field names). */
const RECORD_OVERHEAD_BYTES = 400;
const MIN_IDLE_MS = 25;
const WINDOW_POLL_MS = 100;

/** What a shard worker needs from its poller. */
export interface ShardWorkerDeps {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly settings: KinesisMappingSettings;
  readonly checkpoints: CheckpointStore;
  readonly counters: MutableCounters;
  readonly idlePollMaxMs: number;
  readonly retryDelayMs: number;
  now(): number;
  /** Move the emulator's wall-clock arrival times onto `now`'s clock (a test clock), so ages stay true. */
  readonly arrivalsOnClock?: boolean;
  stopping(): boolean;
  /**
   * Whether someone waits for the stream to be handled (`waitUntilIdle`): the batching window closes at once, since
   * the caller wants the work done rather than batched (the window is a cost saving, and idle waits are the local
   * stack's drains: the demo's clock jumps, the tests).
   */
  draining(): boolean;
  log(line: string): void;
  invoke(batch: readonly ShardRecord[]): Promise<InvocationOutcome>;
  /** Hands records given up on to the on-failure destination. */
  giveUp(
    records: readonly ShardRecord[],
    condition: FailureCondition,
    invokeCount: number,
    functionError: "Unhandled" | undefined,
  ): Promise<void>;
  /** Called after every step, so the poller can tell waiters the shard went idle. */
  stepped(): void;
}

/** The poller's counters, updated by the workers. */
export interface MutableCounters {
  batches: number;
  records: number;
  failures: number;
  retries: number;
  bisects: number;
  discarded: number;
}

const errorName = (error: unknown): string =>
  typeof error === "object" && error !== null && "name" in error ? String(error.name) : "";

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]}` : String(error);

/**
 * Reads one shard the way Lambda's Kinesis event source mapping does and drives the handler: batches up to
 * BatchSize within the batching window, in order; retries from the first failed record; bisects on error;
 * gives up after MaximumRetryAttempts or MaximumRecordAgeInSeconds; checkpoints what is done.
 */
export class ShardWorker {
  readonly shardId: string;
  readonly #deps: ShardWorkerDeps;
  /** Records read but not yet processed or given up on, oldest first. */
  readonly #buffer: ShardRecord[] = [];
  #bufferSince: number | undefined;
  /** Sizes of the next batches after a bisect or a partial failure; empty: full batches. */
  readonly #segments: number[] = [];
  /** Invocations of the head batch so far (1 + retries). */
  #attempts = 0;
  #iterator: string | undefined;
  #lastReadSequence: string | undefined;
  #ended = false;
  #idleDelay = MIN_IDLE_MS;
  #busy = false;
  #millisBehind = 0;
  #fetchStarts = 0;
  #lastEmptyFetch = 0;
  #wake: (() => void) | undefined;
  #woken = false;

  constructor(shardId: string, deps: ShardWorkerDeps) {
    this.shardId = shardId;
    this.#deps = deps;
  }

  /** How many reads of the shard have started: a mark for {@link isIdleSince}. */
  get fetchMark(): number {
    return this.#fetchStarts;
  }

  /** Records read and waiting. */
  get buffered(): number {
    return this.#buffer.length;
  }

  /** Age of the oldest unprocessed record (Lambda's IteratorAge), or Kinesis' MillisBehindLatest. */
  lagMs(now: number): number {
    const head = this.#buffer[0];
    return head === undefined ? this.#millisBehind : Math.max(0, now - arrivalMs(head.record, now));
  }

  /** True once a read that started after `mark` found nothing new and everything read has been handled. */
  isIdleSince(mark: number): boolean {
    return this.#buffer.length === 0 && !this.#busy && (this.#ended || this.#lastEmptyFetch > mark);
  }

  /** Ends a sleep early (new waiters, stop). */
  wake(): void {
    this.#woken = true;
    this.#wake?.();
  }

  /** Positions the shard iterator: after the checkpoint, or at the mapping's starting position. */
  async init(): Promise<void> {
    this.#iterator = await this.#newIterator();
  }

  /** The worker's loop, until the poller stops; an in-flight batch is always finished first. */
  async run(): Promise<void> {
    const deps = this.#deps;
    while (!deps.stopping()) {
      try {
        let fetched = 0;
        if (!this.#ended && this.#buffer.length < deps.settings.batchSize) fetched = await this.#fetch();
        if (this.#buffer.length > 0 && this.#ready()) {
          await this.#processHead();
          this.#idleDelay = MIN_IDLE_MS;
          deps.stepped();
          continue;
        }
        deps.stepped();
        if (deps.stopping() || fetched > 0 || this.#millisBehind > 0) continue;
        if (this.#buffer.length > 0) {
          await this.#sleep(Math.min(WINDOW_POLL_MS, this.#windowLeft()));
        } else {
          await this.#sleep(this.#idleDelay);
          this.#idleDelay = Math.min(this.#idleDelay * 2, deps.idlePollMaxMs);
        }
      } catch (error) {
        deps.log(`${deps.streamName}/${this.shardId}: ${describe(error)}; retrying`);
        deps.stepped();
        await this.#sleep(deps.idlePollMaxMs);
      }
    }
  }

  async #newIterator(): Promise<string | undefined> {
    const { kinesis, streamName, settings, checkpoints } = this.#deps;
    const after = this.#lastReadSequence ?? checkpoints.get(this.shardId);
    const base = { StreamName: streamName, ShardId: this.shardId };
    if (after !== undefined) {
      try {
        const out = await kinesis.send(
          new GetShardIteratorCommand({
            ...base,
            ShardIteratorType: "AFTER_SEQUENCE_NUMBER",
            StartingSequenceNumber: after,
          }),
        );
        return out.ShardIterator;
      } catch (error) {
        if (errorName(error) !== "InvalidArgumentException") throw error;
        this.#deps.log(
          `${streamName}/${this.shardId}: checkpoint ${after} is not in the stream; starting over`,
        );
      }
    }
    const input: GetShardIteratorCommandInput = { ...base, ShardIteratorType: settings.startingPosition };
    return (await kinesis.send(new GetShardIteratorCommand(input))).ShardIterator;
  }

  async #fetch(): Promise<number> {
    const deps = this.#deps;
    if (this.#iterator === undefined) this.#iterator = await this.#newIterator();
    if (this.#iterator === undefined) {
      this.#ended = true;
      return 0;
    }
    const mark = ++this.#fetchStarts;
    let out: GetRecordsCommandOutput;
    try {
      out = await deps.kinesis.send(
        new GetRecordsCommand({
          ShardIterator: this.#iterator,
          Limit: Math.min(10_000, Math.max(deps.settings.batchSize, 1000)),
        }),
      );
    } catch (error) {
      if (errorName(error) !== "ExpiredIteratorException") throw error;
      this.#iterator = undefined;
      return 0;
    }
    this.#iterator = out.NextShardIterator;
    if (out.NextShardIterator === undefined) this.#ended = true;
    this.#millisBehind = out.MillisBehindLatest ?? 0;
    const records = out.Records ?? [];
    // Arrival times are the emulator's wall clock; ages are measured on the poller's clock (a test clock moved
    // hours ahead must not make a record just put look hours old), so arrivals move onto that clock.
    const shift = this.#deps.arrivalsOnClock === true ? this.#deps.now() - Date.now() : 0;
    for (const record of records) {
      const arrival = record.ApproximateArrivalTimestamp;
      const onClock =
        arrival === undefined || shift === 0
          ? record
          : { ...record, ApproximateArrivalTimestamp: new Date(arrival.getTime() + shift) };
      this.#buffer.push({ shardId: this.shardId, record: onClock });
    }
    const last = records[records.length - 1];
    if (last?.SequenceNumber !== undefined) this.#lastReadSequence = last.SequenceNumber;
    if (records.length > 0 && this.#bufferSince === undefined) this.#bufferSince = deps.now();
    if (records.length === 0 && this.#millisBehind === 0) this.#lastEmptyFetch = mark;
    return records.length;
  }

  #windowLeft(): number {
    const window = this.#deps.settings.maximumBatchingWindowInSeconds * 1000;
    return Math.max(0, (this.#bufferSince ?? this.#deps.now()) + window - this.#deps.now());
  }

  #ready(): boolean {
    return (
      this.#buffer.length >= this.#deps.settings.batchSize ||
      this.#segments.length > 0 ||
      this.#attempts > 0 ||
      this.#ended ||
      this.#payloadFull() ||
      this.#windowLeft() === 0 ||
      this.#deps.draining()
    );
  }

  #payloadFull(): boolean {
    let bytes = 0;
    for (const item of this.#buffer) {
      bytes += Math.ceil((item.record.Data?.byteLength ?? 0) / 3) * 4 + RECORD_OVERHEAD_BYTES;
      if (bytes >= MAX_PAYLOAD_BYTES) return true;
    }
    return false;
  }

  /** The next batch: the head segment (or BatchSize) records, within the payload limit, at least one. */
  #takeBatch(): ShardRecord[] {
    const size = this.#segments[0] ?? this.#deps.settings.batchSize;
    const batch: ShardRecord[] = [];
    let bytes = 0;
    for (const item of this.#buffer) {
      if (batch.length >= size) break;
      bytes += Math.ceil((item.record.Data?.byteLength ?? 0) / 3) * 4 + RECORD_OVERHEAD_BYTES;
      if (batch.length > 0 && bytes > MAX_PAYLOAD_BYTES) break;
      batch.push(item);
    }
    return batch;
  }

  async #processHead(): Promise<void> {
    const deps = this.#deps;
    const { settings, counters } = deps;
    const batch = this.#takeBatch();
    if (settings.maximumRecordAgeInSeconds >= 0) {
      const now = deps.now();
      const oldest = now - settings.maximumRecordAgeInSeconds * 1000;
      const expired = batch.findIndex((item) => arrivalMs(item.record, now) >= oldest);
      const count = expired === -1 ? batch.length : expired;
      if (count > 0) {
        await this.#giveUp(batch.slice(0, count), "RecordAgeExceeded", this.#attempts, undefined);
        return;
      }
    }

    this.#attempts++;
    if (this.#attempts > 1) counters.retries++;
    counters.batches++;
    this.#busy = true;
    let outcome: InvocationOutcome;
    try {
      outcome = await deps.invoke(batch);
    } finally {
      this.#busy = false;
    }

    const exhausted = settings.maximumRetryAttempts >= 0 && this.#attempts > settings.maximumRetryAttempts;
    switch (outcome.kind) {
      case "ok":
        this.#advance(batch.length, true);
        this.#attempts = 0;
        return;
      case "partial": {
        counters.failures++;
        const { index } = outcome;
        if (index > 0) this.#advance(index, true);
        if (exhausted) {
          await this.#giveUp(batch.slice(index), "RetryAttemptsExhausted", this.#attempts, undefined);
          return;
        }
        if (this.#segments.length === 0) this.#segments.unshift(batch.length - index);
        deps.log(
          `${deps.streamName}/${this.shardId}: ${batch.length - index} of ${batch.length} records failed ` +
            `(attempt ${this.#attempts}); retrying from ${batch[index]?.record.SequenceNumber}`,
        );
        await this.#backoff();
        return;
      }
      case "error": {
        counters.failures++;
        deps.log(
          `${deps.streamName}/${this.shardId}: batch of ${batch.length} failed (attempt ${this.#attempts}): ` +
            describe(outcome.error),
        );
        if (settings.bisectBatchOnFunctionError && batch.length > 1) {
          counters.bisects++;
          const first = Math.ceil(batch.length / 2);
          if (this.#segments.length > 0) this.#segments.shift();
          this.#segments.unshift(first, batch.length - first);
          this.#attempts = 0;
          return;
        }
        if (exhausted) {
          await this.#giveUp(batch, "RetryAttemptsExhausted", this.#attempts, "Unhandled");
          return;
        }
        await this.#backoff();
        return;
      }
    }
  }

  async #giveUp(
    records: readonly ShardRecord[],
    condition: FailureCondition,
    invokeCount: number,
    functionError: "Unhandled" | undefined,
  ): Promise<void> {
    await this.#deps.giveUp(records, condition, invokeCount, functionError);
    this.#deps.counters.discarded += records.length;
    this.#advance(records.length, false);
    this.#attempts = 0;
  }

  /** Drops the first `count` records as handled and checkpoints the last of them. */
  #advance(count: number, processed: boolean): void {
    const done = this.#buffer.splice(0, count);
    const last = done[done.length - 1];
    if (last?.record.SequenceNumber !== undefined) {
      this.#deps.checkpoints.set(this.shardId, last.record.SequenceNumber);
    }
    if (processed) this.#deps.counters.records += done.length;
    if (this.#buffer.length === 0) this.#bufferSince = undefined;
    const head = this.#segments[0];
    if (head !== undefined) {
      if (head - count > 0) this.#segments[0] = head - count;
      else this.#segments.shift();
    }
  }

  #backoff(): Promise<void> {
    const { retryDelayMs } = this.#deps;
    return this.#sleep(Math.min(retryDelayMs * 2 ** Math.max(0, this.#attempts - 1), retryDelayMs * 20));
  }

  #sleep(ms: number): Promise<void> {
    if (this.#woken || this.#deps.stopping()) {
      this.#woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        this.#woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}
