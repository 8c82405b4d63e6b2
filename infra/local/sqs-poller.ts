import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { invokeWithTimeout } from "./invoke-handler.js";
import type { FunctionIdentity } from "./kinesis-event.js";
import { LocalStackError } from "./local-errors.js";
import { localRegion } from "./sdk-env.js";
import { interpretSqsResponse, type SqsHandler, toSqsEvent } from "./sqs-event.js";

export type { SqsHandler } from "./sqs-event.js";

/** The settings of an SQS event source mapping that the local poller honours, with Lambda's defaults. */
export interface SqsMappingSettings {
  /** Messages per invocation, at most. Default 10. */
  readonly batchSize: number;
  /** How long to gather messages before invoking with less than a full batch. Default 0. */
  readonly maximumBatchingWindowInSeconds: number;
  /** `FunctionResponseTypes` includes `ReportBatchItemFailures`: only the listed messages failed. */
  readonly reportBatchItemFailures: boolean;
  /** `ScalingConfig.MaximumConcurrency`: batches in flight at most. Default 5 locally (Lambda: up to 1,000). */
  readonly maximumConcurrency: number;
}

/** Lambda's defaults (and a local concurrency), for settings a template leaves out. */
export const defaultSqsMappingSettings: SqsMappingSettings = {
  batchSize: 10,
  maximumBatchingWindowInSeconds: 0,
  reportBatchItemFailures: false,
  maximumConcurrency: 5,
};

export interface SqsPollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly queueName: string;
  readonly function: FunctionIdentity;
  readonly handler: SqsHandler;
  readonly settings: SqsMappingSettings;
  readonly log?: (line: string) => void;
  /** Long-poll wait of an idle receive, in seconds (1–20). Default 20, as Lambda's pollers. */
  readonly waitTimeSeconds?: number;
  /** The clock for the records' timestamps when the queue gives none. Default `Date.now`. */
  readonly now?: () => number;
}

/** What the poller has done so far. */
export interface SqsPollerCounters {
  /** Invocations of the handler. */
  readonly batches: number;
  /** Messages handled successfully (and deleted). */
  readonly deleted: number;
  /** Messages left on the queue after a failure, to come back after the visibility timeout. */
  readonly failed: number;
  /** Failed invocations: threw, timed out, or reported batch item failures. */
  readonly failures: number;
  /** Batches in flight now. */
  readonly inFlight: number;
  /** Most batches ever in flight at once. */
  readonly peakInFlight: number;
}

const describe = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message.split("\n")[0]}` : String(error);

const isAbort = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "name" in error && error.name === "AbortError";

/**
 * What Lambda's SQS event source mapping does, for one function on one queue, in this process: long-polls
 * the queue, gathers up to `batchSize` messages within the batching window, invokes the handler with the exact
 * `SQSEvent` and a Lambda-like context, and deletes what succeeded (everything, or all but the reported
 * `batchItemFailures`). Failed messages stay on the queue and come back after its visibility timeout; the
 * queue's redrive policy (honoured by the SQS emulator on receive) moves them to the dead-letter queue after
 * `maxReceiveCount` receives. At most `maximumConcurrency` batches are in flight at once.
 */
export class SqsPoller {
  readonly #options: SqsPollerOptions;
  readonly #counters = { batches: 0, deleted: 0, failed: 0, failures: 0, inFlight: 0, peakInFlight: 0 };
  readonly #abort = new AbortController();
  readonly #loops: Promise<void>[] = [];
  /** Callers in `waitUntilIdle`: while there is one, a batch does not wait out its batching window. */
  #draining = 0;
  #started = false;

  constructor(options: SqsPollerOptions) {
    if (options.settings.maximumConcurrency < 1) {
      throw new LocalStackError(`MaximumConcurrency must be at least 1 for ${options.queueName}`);
    }
    this.#options = options;
  }

  /** The function this poller invokes. */
  get functionName(): string {
    return this.#options.function.functionName;
  }

  /** The queue it reads. */
  get queueName(): string {
    return this.#options.queueName;
  }

  /** A snapshot of the counters. */
  get counters(): SqsPollerCounters {
    return { ...this.#counters };
  }

  /** Starts `maximumConcurrency` receive loops; each holds at most one batch at a time. */
  start(): void {
    if (this.#started) throw new LocalStackError("poller already started");
    this.#started = true;
    for (let i = 0; i < this.#options.settings.maximumConcurrency; i++) this.#loops.push(this.#run());
  }

  /**
   * Resolves once the queue holds no message that is visible or in flight and no batch is being handled: every
   * message sent before the call has been handled, deleted or moved to the dead-letter queue. Messages
   * delayed by `DelaySeconds` are not waited for. Rejects after `timeoutMs` (default 60 s).
   */
  async waitUntilIdle(options: { timeoutMs?: number } = {}): Promise<void> {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    // The caller wants the work done, not batched: batching windows close while it waits.
    this.#draining++;
    try {
      for (;;) {
        const pending = await this.#pending();
        if (pending === 0 && this.#counters.inFlight === 0) return;
        if (Date.now() > deadline) {
          throw new LocalStackError(
            `${this.functionName} did not empty ${this.queueName}: ${pending} messages pending, ` +
              JSON.stringify(this.counters),
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    } finally {
      this.#draining--;
    }
  }

  /** Stops receiving; the batches in flight finish (and are deleted or left) first. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.all(this.#loops);
  }

  async #pending(): Promise<number> {
    const out = await this.#options.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.#options.queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    const attributes = out.Attributes ?? {};
    return (
      Number(attributes.ApproximateNumberOfMessages ?? 0) +
      Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  async #receive(max: number, waitTimeSeconds: number): Promise<Message[]> {
    const out = await this.#options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max),
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
      { abortSignal: this.#abort.signal },
    );
    return out.Messages ?? [];
  }

  /** One batch: a long poll for the first messages, then more until the batch is full or the window closes. */
  async #gather(): Promise<Message[]> {
    const { batchSize, maximumBatchingWindowInSeconds } = this.#options.settings;
    const batch = await this.#receive(batchSize, this.#options.waitTimeSeconds ?? 20);
    const closesAt = Date.now() + maximumBatchingWindowInSeconds * 1000;
    while (batch.length > 0 && batch.length < batchSize && Date.now() < closesAt && this.#draining === 0) {
      const more = await this.#receive(batchSize - batch.length, 0);
      if (more.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      batch.push(...more);
    }
    return batch;
  }

  async #run(): Promise<void> {
    const log = this.#options.log ?? (() => {});
    while (!this.#abort.signal.aborted) {
      let batch: Message[];
      try {
        batch = await this.#gather();
      } catch (error) {
        if (this.#abort.signal.aborted || isAbort(error)) return;
        log(`${this.queueName} → ${this.functionName}: receive failed: ${describe(error)}`);
        await new Promise((resolve) => setTimeout(resolve, 1000));
        continue;
      }
      if (batch.length === 0) continue;
      this.#counters.inFlight++;
      this.#counters.peakInFlight = Math.max(this.#counters.peakInFlight, this.#counters.inFlight);
      try {
        await this.#handle(batch, log);
      } finally {
        this.#counters.inFlight--;
      }
    }
  }

  async #handle(batch: readonly Message[], log: (line: string) => void): Promise<void> {
    const { function: fn, handler, settings } = this.#options;
    const now = (this.#options.now ?? Date.now)();
    const event = toSqsEvent(batch, { queueArn: this.#options.queueArn, region: localRegion }, now);
    this.#counters.batches++;
    let failedIds: ReadonlySet<string>;
    try {
      const response = await invokeWithTimeout(fn, handler, event);
      const outcome = interpretSqsResponse(
        response,
        batch.map((m) => m.MessageId ?? ""),
        settings.reportBatchItemFailures,
      );
      if (outcome.kind === "error") throw outcome.error;
      failedIds = outcome.kind === "partial" ? outcome.failedIds : new Set();
    } catch (error) {
      failedIds = new Set(batch.map((m) => m.MessageId ?? ""));
      log(
        `${this.queueName} → ${fn.functionName}: ${describe(error)} (${batch.length} messages left to retry)`,
      );
    }
    if (failedIds.size > 0) this.#counters.failures++;
    this.#counters.failed += failedIds.size;
    const done = batch.filter((m) => !failedIds.has(m.MessageId ?? ""));
    for (let i = 0; i < done.length; i += 10) {
      const chunk = done.slice(i, i + 10);
      try {
        const out = await this.#options.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.#options.queueUrl,
            Entries: chunk.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        this.#counters.deleted += out.Successful?.length ?? 0;
        for (const failure of out.Failed ?? []) log(`${this.queueName}: delete failed: ${failure.Message}`);
      } catch (error) {
        log(`${this.queueName}: delete failed: ${describe(error)}`);
      }
    }
  }
}
