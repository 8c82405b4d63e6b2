import { randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { KinesisStreamEvent } from "aws-lambda";
import { z } from "zod";
import { userRecordsOf } from "#shared/aws/kinesis-user-records.js";
import type { StreamRecord } from "#shared/ports.js";
import type { CheckpointStore } from "./checkpoint-store.js";
import type { DeliveryStreamSpec } from "./delivery-stream-plan.js";
import { expandFirehosePrefix } from "./firehose-prefix.js";
import type { LambdaHandler } from "./handler-loader.js";
import { invokeWithTimeout } from "./invoke-handler.js";
import type { FunctionIdentity } from "./kinesis-event.js";
import { KinesisPoller } from "./kinesis-poller.js";

/** What an {@link ArchiveDelivery} needs. */
export interface ArchiveDeliveryOptions {
  readonly spec: DeliveryStreamSpec;
  readonly kinesis: KinesisClient;
  readonly s3: S3Client;
  /** The processor's handler, loaded as the stack loads every handler; `undefined` when the spec has none. */
  readonly transform: { readonly function: FunctionIdentity; readonly handler: LambdaHandler } | undefined;
  /** Where it keeps its own position in each shard, apart from every function's. */
  readonly checkpoints: CheckpointStore;
  readonly region: string;
  readonly log: (line: string) => void;
  /** The clock of object names and record ages. @default Date.now */
  readonly now?: () => number;
  /** `now` is a test clock: arrival times move onto it, as the stream pollers' do. */
  readonly arrivalsOnClock?: boolean;
  /**
   * Longest a record waits before it is written (the local stand-in for the template's buffering interval, which
   * is minutes). `waitUntilIdle` and `stop` write at once.
   * @default 2 seconds
   */
  readonly flushSeconds?: number;
}

/** What the delivery has done, for tests and the CLI. */
export interface ArchiveCounters {
  /** Records written to the archive as lines. */
  readonly archived: number;
  /** Records written raw under the error prefix (the transform failed them, or failed as a whole). */
  readonly failed: number;
  /** Objects written. */
  readonly objects: number;
}

/** One user record on its way to the archive, with its Firehose record id. */
interface PendingRecord {
  readonly recordId: string;
  readonly record: StreamRecord;
}

/** What goes into the objects: a line under the prefix, or a record under the error prefix. */
interface Output {
  readonly arrivedAt: number;
  readonly bytes: Buffer;
}

const responseSchema = z.object({
  records: z.array(
    z.looseObject({
      recordId: z.string(),
      result: z.enum(["Ok", "Dropped", "ProcessingFailed"]),
      data: z.string().optional(),
    }),
  ),
});

/** Firehose's error code of a record the transform returned `ProcessingFailed`, or failed as a whole. */
const PROCESSING_FAILED = "Lambda.ProcessingFailed";
const INVOKE_FAILED = "Lambda.InvokeFailed";

const utcStamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace(/[T:]/g, "-");

/**
 * What Firehose does for a delivery stream reading a Kinesis stream into S3, in this process: a consumer of the
 * stream with its own iterator and checkpoint (a {@link KinesisPoller} whose batching window is the flush
 * interval), KPL aggregates de-aggregated as Firehose does, the processor invoked with Firehose's event in chunks
 * of its buffer size (retried, then failed), and the lines written as gzip objects to the bucket under the prefix
 * expanded with each record's arrival time (UTC), at most the buffer size each; records the transform fails go
 * raw under the error prefix, as Firehose's error records. The checkpoint moves only once the objects are written:
 * a failed write is retried, and a restart resumes after the last record written.
 */
export class ArchiveDelivery {
  readonly #options: ArchiveDeliveryOptions;
  readonly #poller: KinesisPoller;
  #archived = 0;
  #failed = 0;
  #objects = 0;

  constructor(options: ArchiveDeliveryOptions) {
    this.#options = options;
    const { spec } = options;
    this.#poller = new KinesisPoller({
      kinesis: options.kinesis,
      streamName: spec.streamName,
      streamArn: spec.streamArn,
      function: {
        functionName: spec.name,
        functionArn: spec.arn,
        memorySize: 0,
        // One delivery: every chunk's transform, with its retries, and the writes.
        timeoutSeconds: 900,
      },
      handler: (event) => this.#deliver(event),
      settings: {
        batchSize: 10_000,
        maximumBatchingWindowInSeconds: options.flushSeconds ?? 2,
        startingPosition: "TRIM_HORIZON",
        bisectBatchOnFunctionError: false,
        maximumRetryAttempts: -1,
        maximumRecordAgeInSeconds: -1,
        reportBatchItemFailures: false,
      },
      checkpoints: options.checkpoints,
      log: options.log,
      now: options.now,
      arrivalsOnClock: options.arrivalsOnClock,
    });
  }

  /** The delivery stream's local name. */
  get name(): string {
    return this.#options.spec.name;
  }

  /** A snapshot of the counters. */
  get counters(): ArchiveCounters {
    return { archived: this.#archived, failed: this.#failed, objects: this.#objects };
  }

  /** Positions the iterators (after the checkpoint, else at the stream's start), then reads. */
  start(): Promise<void> {
    return this.#poller.start();
  }

  /** Resolves once every record put on the stream before the call is in the bucket. */
  waitUntilIdle(options: { timeoutMs?: number } = {}): Promise<void> {
    return this.#poller.waitUntilIdle(options);
  }

  /** Writes what is buffered (within 30 s), then stops reading. */
  async stop(): Promise<void> {
    await this.#poller.waitUntilIdle({ timeoutMs: 30_000 }).catch((error: unknown) => {
      this.#options.log(
        `${this.name}: not all buffered records were archived before stopping: ${String(error)}`,
      );
    });
    await this.#poller.stop();
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  async #deliver(event: KinesisStreamEvent): Promise<void> {
    const pending = event.Records.flatMap(({ kinesis, eventID }) =>
      userRecordsOf({
        sequenceNumber: kinesis.sequenceNumber,
        partitionKey: kinesis.partitionKey,
        shardId: eventID.split(":")[0],
        data: Buffer.from(kinesis.data, "base64"),
        approximateArrivalTimestamp: Math.round(kinesis.approximateArrivalTimestamp * 1000),
      }),
    ).map(
      (record): PendingRecord => ({
        recordId: `${record.sequenceNumber}.${record.subSequenceNumber ?? 0}`,
        record,
      }),
    );
    const lines: Output[] = [];
    const errors: Output[] = [];
    for (const chunk of this.#chunks(pending)) {
      const outcome = await this.#transform(chunk);
      lines.push(...outcome.lines);
      errors.push(...outcome.errors);
    }
    const { spec } = this.#options;
    await this.#write(lines, spec.prefix, {});
    await this.#write(errors, spec.errorPrefix, { errorOutputType: "processing-failed" });
    this.#archived += lines.length;
    this.#failed += errors.length;
  }

  /** The records in chunks of the processor's buffer size (Firehose invokes the transform once per chunk). */
  *#chunks(records: readonly PendingRecord[]): Generator<PendingRecord[]> {
    const limit = this.#options.spec.processor?.bufferBytes ?? Number.POSITIVE_INFINITY;
    let chunk: PendingRecord[] = [];
    let bytes = 0;
    for (const item of records) {
      if (chunk.length > 0 && bytes + item.record.data.byteLength > limit) {
        yield chunk;
        chunk = [];
        bytes = 0;
      }
      chunk.push(item);
      bytes += item.record.data.byteLength;
    }
    if (chunk.length > 0) yield chunk;
  }

  /** One chunk through the transform: its lines, and its failures as Firehose's error records. */
  async #transform(chunk: readonly PendingRecord[]): Promise<{ lines: Output[]; errors: Output[] }> {
    const { transform, spec } = this.#options;
    const processor = spec.processor;
    if (transform === undefined || processor === undefined) {
      return { lines: chunk.map(({ record }) => output(record, Buffer.from(record.data))), errors: [] };
    }
    const event = {
      invocationId: randomUUID(),
      deliveryStreamArn: spec.arn,
      sourceKinesisStreamArn: spec.streamArn,
      region: this.#options.region,
      records: chunk.map(({ recordId, record }) => ({
        recordId,
        approximateArrivalTimestamp: record.approximateArrivalTimestamp,
        data: Buffer.from(record.data).toString("base64"),
        kinesisRecordMetadata: {
          shardId: record.shardId ?? "",
          partitionKey: record.partitionKey,
          approximateArrivalTimestamp: record.approximateArrivalTimestamp,
          sequenceNumber: record.sequenceNumber,
          // A plain record has none (Firehose's documented shapes disagree; the archive leaves it out).
          ...(record.subSequenceNumber === undefined ? {} : { subsequenceNumber: record.subSequenceNumber }),
        },
      })),
    };
    let failure = "";
    for (let attempt = 1; attempt <= processor.retries + 1; attempt++) {
      try {
        const parsed = responseSchema.safeParse(
          await invokeWithTimeout(transform.function, transform.handler, event),
        );
        if (parsed.success) return this.#results(chunk, parsed.data.records, attempt);
        failure = `the transform's response is not Firehose's: ${parsed.error.message}`;
      } catch (error) {
        failure = error instanceof Error ? error.message : String(error);
      }
      this.#options.log(`${spec.name}: transform attempt ${attempt} failed: ${failure}`);
    }
    const errors = chunk.map(({ record }) =>
      this.#errorRecord(record, INVOKE_FAILED, failure, processor.retries + 1),
    );
    return { lines: [], errors };
  }

  #results(
    chunk: readonly PendingRecord[],
    results: z.infer<typeof responseSchema>["records"],
    attempts: number,
  ): { lines: Output[]; errors: Output[] } {
    const byId = new Map(results.map((result) => [result.recordId, result]));
    const lines: Output[] = [];
    const errors: Output[] = [];
    for (const { recordId, record } of chunk) {
      const result = byId.get(recordId);
      if (result?.result === "Dropped") continue;
      if (result?.result === "Ok" && result.data !== undefined) {
        lines.push(output(record, Buffer.from(result.data, "base64")));
        continue;
      }
      const why =
        result === undefined ? "no result for the record" : `the transform returned ${result.result}`;
      errors.push(this.#errorRecord(record, PROCESSING_FAILED, why, attempts));
    }
    return { lines, errors };
  }

  /** A record Firehose could not deliver, in the shape of Firehose's error output. */
  #errorRecord(record: StreamRecord, errorCode: string, errorMessage: string, attemptsMade: number): Output {
    const line = {
      attemptsMade,
      arrivalTimestamp: record.approximateArrivalTimestamp,
      errorCode,
      errorMessage,
      attemptEndingTimestamp: this.#now(),
      rawData: Buffer.from(record.data).toString("base64"),
      lambdaArn: this.#options.spec.processor?.functionArn,
    };
    return output(record, Buffer.from(`${JSON.stringify(line)}\n`, "utf8"));
  }

  /** The outputs as objects: one group per expanded prefix (their arrival hour), at most the buffer size each. */
  async #write(
    outputs: readonly Output[],
    prefix: string,
    values: { errorOutputType?: string },
  ): Promise<void> {
    const { spec, s3 } = this.#options;
    const groups = new Map<string, Buffer[]>();
    for (const item of outputs) {
      const key = expandFirehosePrefix(prefix, item.arrivedAt, values);
      const group = groups.get(key) ?? [];
      group.push(item.bytes);
      groups.set(key, group);
    }
    for (const [keyPrefix, parts] of groups) {
      for (const body of sizedBodies(parts, spec.bufferBytes)) {
        const gzip = spec.compression === "GZIP";
        const key = `${keyPrefix}${spec.name}-1-${utcStamp(this.#now())}-${randomUUID()}${gzip ? ".gz" : ""}`;
        await s3.send(
          new PutObjectCommand({ Bucket: spec.bucketName, Key: key, Body: gzip ? gzipSync(body) : body }),
        );
        this.#objects++;
      }
    }
  }
}

const output = (record: StreamRecord, bytes: Buffer): Output => ({
  arrivedAt: record.approximateArrivalTimestamp,
  bytes,
});

/** The parts joined into bodies of at most `limit` bytes (a part larger than that alone). */
function sizedBodies(parts: readonly Buffer[], limit: number): Buffer[] {
  const bodies: Buffer[] = [];
  let current: Buffer[] = [];
  let size = 0;
  for (const part of parts) {
    if (current.length > 0 && size + part.byteLength > limit) {
      bodies.push(Buffer.concat(current));
      current = [];
      size = 0;
    }
    current.push(part);
    size += part.byteLength;
  }
  if (current.length > 0) bodies.push(Buffer.concat(current));
  return bodies;
}

/** What {@link startArchiveDeliveries} needs from the local stack. */
export interface ArchiveDeliveriesOptions
  extends Omit<ArchiveDeliveryOptions, "spec" | "transform" | "checkpoints"> {
  readonly specs: readonly DeliveryStreamSpec[];
  /** The transform function of a processor, by local name, loaded; `undefined` when it cannot be run. */
  transformOf(functionName: string): Promise<ArchiveDeliveryOptions["transform"]>;
  /** The checkpoints of a delivery stream reading a stream. */
  checkpointsFor(deliveryStreamName: string, streamName: string): CheckpointStore;
}

/**
 * Starts a delivery for each delivery stream of the template (after positioning its iterators); one whose
 * processor cannot be loaded is not started, with a line in the log, as its records would not be the archive's.
 */
export async function startArchiveDeliveries(options: ArchiveDeliveriesOptions): Promise<ArchiveDelivery[]> {
  const deliveries: ArchiveDelivery[] = [];
  for (const spec of options.specs) {
    const transform =
      spec.processor === undefined ? undefined : await options.transformOf(spec.processor.functionName);
    if (spec.processor !== undefined && transform === undefined) {
      options.log(`${spec.name}: its transform ${spec.processor.functionName} cannot be run: not archiving`);
      continue;
    }
    const delivery = new ArchiveDelivery({
      ...options,
      spec,
      transform,
      checkpoints: options.checkpointsFor(spec.name, spec.streamName),
    });
    await delivery.start();
    deliveries.push(delivery);
  }
  return deliveries;
}
