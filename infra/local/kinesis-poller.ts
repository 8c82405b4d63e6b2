import { type KinesisClient, ListShardsCommand, type ListShardsCommandInput } from "@aws-sdk/client-kinesis";
import { type InvocationOutcome, interpretResponse } from "./batch-response.js";
import type { CheckpointStore } from "./checkpoint-store.js";
import type { KinesisMappingSettings } from "./event-source-mapping.js";
import { invokeWithTimeout } from "./invoke-handler.js";
import {
  type FunctionIdentity,
  type KinesisHandler,
  type ShardRecord,
  toLambdaEvent,
} from "./kinesis-event.js";
import { LocalStackError } from "./local-errors.js";
import { type FailureCondition, type KinesisOnFailureRecord, onFailureRecord } from "./on-failure-record.js";
import { localAccountId, localRegion } from "./sdk-env.js";
import { type MutableCounters, ShardWorker } from "./shard-worker.js";

export type { KinesisMappingSettings } from "./event-source-mapping.js";
export type { KinesisHandler } from "./kinesis-event.js";
export type { KinesisOnFailureRecord } from "./on-failure-record.js";

export interface KinesisPollerOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  readonly streamArn: string;
  /** The function as Lambda would know it: for the context and the on-failure records. */
  readonly function: FunctionIdentity;
  readonly handler: KinesisHandler;
  readonly settings: KinesisMappingSettings;
  readonly checkpoints: CheckpointStore;
  /** The on-failure destination; without one, given-up batches are only logged (as Lambda drops them). */
  readonly onFailure?: (record: KinesisOnFailureRecord) => Promise<void>;
  readonly log?: (line: string) => void;
  /** Longest pause between reads of an idle shard. Default 1000 ms (Lambda polls each shard once a second). */
  readonly idlePollMaxMs?: number;
  /** First pause before retrying a failed batch; doubles per attempt. Default 100 ms. */
  readonly retryDelayMs?: number;
  /** The clock for record ages and arrival times. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * `now` is a test clock: arrival times (the emulator's wall clock) are moved onto it when read, so a record
   * just put is young however far the clock was moved. Without it, a `now` ahead of the wall clock ages records.
   */
  readonly arrivalsOnClock?: boolean;
}

/** What the poller has done so far, for the CLI's live view and for tests. */
export interface PollerCounters {
  readonly shards: number;
  /** Invocations of the handler. */
  readonly batches: number;
  /** Records the handler processed successfully. */
  readonly records: number;
  /** Failed invocations: threw, timed out, or reported batch item failures. */
  readonly failures: number;
  /** Invocations that repeated a batch (or its failed part). */
  readonly retries: number;
  readonly bisects: number;
  /** Records given up on (after the retry limit or the record age) and reported on-failure. */
  readonly discarded: number;
  /** Records read and not yet handled. */
  readonly buffered: number;
  /** Age of the oldest unhandled record across shards (Lambda's IteratorAge), in ms. */
  readonly lagMs: number;
}

interface IdleWaiter {
  readonly marks: ReadonlyMap<ShardWorker, number>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * What Lambda's Kinesis event source mapping does, for one function on one stream, in this process: one
 * worker per shard (shards run concurrently, records within a shard stay in order), the exact
 * `KinesisStreamEvent` and a Lambda-like context, partial batch responses, bisect on error, retries, the
 * on-failure destination, and a checkpoint per shard persisted so that a restart resumes where it stopped.
 * Shards are listed once at start (resharding while running is not followed).
 */
export class KinesisPoller {
  readonly #options: KinesisPollerOptions;
  readonly #counters: MutableCounters = {
    batches: 0,
    records: 0,
    failures: 0,
    retries: 0,
    bisects: 0,
    discarded: 0,
  };
  readonly #workers: ShardWorker[] = [];
  readonly #loops: Promise<void>[] = [];
  readonly #waiters = new Set<IdleWaiter>();
  #stopping = false;
  #started = false;

  constructor(options: KinesisPollerOptions) {
    this.#options = options;
  }

  /** The function this poller invokes. */
  get functionName(): string {
    return this.#options.function.functionName;
  }

  /** The stream it reads. */
  get streamName(): string {
    return this.#options.streamName;
  }

  /** A snapshot of the counters. */
  get counters(): PollerCounters {
    const now = this.#now();
    return {
      ...this.#counters,
      shards: this.#workers.length,
      buffered: this.#workers.reduce((sum, worker) => sum + worker.buffered, 0),
      lagMs: this.#workers.reduce((max, worker) => Math.max(max, worker.lagMs(now)), 0),
    };
  }

  /**
   * Lists the shards and positions every iterator (after the checkpoint, else at the starting position)
   * before resolving, so records put after `start()` resolves are seen even from `LATEST`; then polls.
   */
  async start(): Promise<void> {
    if (this.#started) throw new LocalStackError("poller already started");
    this.#started = true;
    const shardIds = await this.#listShards();
    const log = this.#options.log ?? (() => {});
    for (const shardId of shardIds) {
      this.#workers.push(
        new ShardWorker(shardId, {
          kinesis: this.#options.kinesis,
          streamName: this.#options.streamName,
          settings: this.#options.settings,
          checkpoints: this.#options.checkpoints,
          counters: this.#counters,
          idlePollMaxMs: this.#options.idlePollMaxMs ?? 1000,
          retryDelayMs: this.#options.retryDelayMs ?? 100,
          now: () => this.#now(),
          arrivalsOnClock: this.#options.arrivalsOnClock,
          stopping: () => this.#stopping,
          draining: () => this.#waiters.size > 0,
          log,
          invoke: (batch) => this.#invoke(batch),
          giveUp: (records, condition, count, error) => this.#giveUp(records, condition, count, error),
          stepped: () => this.#checkIdle(),
        }),
      );
    }
    await Promise.all(this.#workers.map((worker) => worker.init()));
    for (const worker of this.#workers) this.#loops.push(worker.run());
  }

  /**
   * Resolves once every record put on the stream before this call has been handled (processed or given up
   * on): each shard has read past it and has nothing in flight. Rejects after `timeoutMs` (default 60 s).
   */
  waitUntilIdle(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    return new Promise((resolve, reject) => {
      const marks = new Map(this.#workers.map((worker) => [worker, worker.fetchMark]));
      const waiter: IdleWaiter = {
        marks,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters.delete(waiter);
          reject(
            new LocalStackError(
              `${this.functionName} did not catch up with ${this.streamName} within ${timeoutMs} ms: ` +
                JSON.stringify(this.counters),
            ),
          );
        }, timeoutMs),
      };
      this.#waiters.add(waiter);
      for (const worker of this.#workers) worker.wake();
      this.#checkIdle();
    });
  }

  /** Stops polling: the batch in flight finishes and is checkpointed; pending waiters are rejected. */
  async stop(): Promise<void> {
    this.#stopping = true;
    for (const worker of this.#workers) worker.wake();
    await Promise.all(this.#loops);
    for (const waiter of this.#waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new LocalStackError(`the poller of ${this.functionName} stopped`));
    }
    this.#waiters.clear();
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  async #listShards(): Promise<string[]> {
    const ids: string[] = [];
    let nextToken: string | undefined;
    do {
      const input: ListShardsCommandInput =
        nextToken === undefined ? { StreamName: this.#options.streamName } : { NextToken: nextToken };
      const out = await this.#options.kinesis.send(new ListShardsCommand(input));
      for (const shard of out.Shards ?? []) if (shard.ShardId !== undefined) ids.push(shard.ShardId);
      nextToken = out.NextToken;
    } while (nextToken !== undefined);
    return ids;
  }

  #checkIdle(): void {
    for (const waiter of this.#waiters) {
      const idle = [...waiter.marks].every(([worker, mark]) => worker.isIdleSince(mark));
      if (idle) {
        clearTimeout(waiter.timer);
        this.#waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  async #invoke(batch: readonly ShardRecord[]): Promise<InvocationOutcome> {
    const { function: fn, handler, settings } = this.#options;
    const event = toLambdaEvent(
      batch,
      {
        streamArn: this.#options.streamArn,
        region: localRegion,
        invokeIdentityArn: `arn:aws:iam::${localAccountId}:role/${fn.functionName}-role`,
      },
      this.#now(),
    );
    try {
      const response = await invokeWithTimeout(fn, handler, event);
      return interpretResponse(response, batch, settings.reportBatchItemFailures);
    } catch (error) {
      return { kind: "error", error };
    }
  }

  async #giveUp(
    records: readonly ShardRecord[],
    condition: FailureCondition,
    invokeCount: number,
    functionError: "Unhandled" | undefined,
  ): Promise<void> {
    const log = this.#options.log ?? (() => {});
    const record = onFailureRecord({
      records,
      condition,
      invokeCount,
      functionArn: this.#options.function.functionArn,
      streamArn: this.#options.streamArn,
      functionError,
      now: this.#now(),
    });
    const info = record.KinesisBatchInfo;
    log(
      `${this.streamName}/${info.shardId}: gave up on ${info.batchSize} records ` +
        `${info.startSequenceNumber}…${info.endSequenceNumber} (${condition})`,
    );
    const send = this.#options.onFailure;
    if (send === undefined) return;
    for (let attempt = 1; ; attempt++) {
      try {
        await send(record);
        return;
      } catch (error) {
        if (attempt >= 5) {
          log(
            `on-failure destination unreachable; the record was: ${JSON.stringify(record)} (${String(error)})`,
          );
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }
}
