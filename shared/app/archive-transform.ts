import { z } from "zod";
import { ARCHIVE_FORMAT_VERSION, archiveLine } from "#shared/domain/events/archived-record.js";
import { TailorError } from "#shared/errors.js";

/**
 * The transform was invoked with something that is not a Firehose transformation event (no `records` with a
 * `recordId` each): it cannot answer record by record, so the invocation fails and Firehose, after its retries,
 * files the whole batch under the error prefix.
 */
export class FirehoseEventError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

/**
 * The event Firehose hands its data-transformation Lambda when its source is a Kinesis data stream: KPL
 * aggregates already de-aggregated, one entry per user record with its stream position in
 * `kinesisRecordMetadata`. Only what identifies each record is required here; the rest of a record is read by
 * {@link archiveFirehoseRecords}, so one malformed record fails alone.
 */
export const firehoseTransformationEventSchema = z.looseObject({
  invocationId: z.string(),
  deliveryStreamArn: z.string(),
  sourceKinesisStreamArn: z.string().optional(),
  region: z.string(),
  records: z.array(z.looseObject({ recordId: z.string().min(1) })),
});

/** A Firehose transformation event, as {@link firehoseTransformationEventSchema} reads it. */
export type FirehoseTransformationInput = z.infer<typeof firehoseTransformationEventSchema>;

/** Epoch milliseconds as Firehose writes them (a number; some sample events carry an ISO string instead). */
const epochMs = z.union([
  z.number().int().positive(),
  z.iso.datetime({ offset: true }).transform((iso) => Date.parse(iso)),
]);

/**
 * The subsequence number of a de-aggregated user record: a number or its digits (the published samples differ);
 * an empty string means none (a plain record).
 */
const subsequence = z.union([
  z.number().int().min(0),
  z
    .string()
    .regex(/^\d*$/, "digits")
    .transform((digits) => (digits === "" ? undefined : Number(digits))),
]);

/** One record of the event, with the metadata an archived line needs. */
const firehoseRecordSchema = z.looseObject({
  recordId: z.string().min(1),
  approximateArrivalTimestamp: epochMs.optional(),
  data: z.base64(),
  kinesisRecordMetadata: z.looseObject({
    shardId: z.string().min(1),
    partitionKey: z.string().min(1),
    sequenceNumber: z.string(),
    subsequenceNumber: subsequence.optional(),
    approximateArrivalTimestamp: epochMs.optional(),
  }),
});

const describeIssues = (error: z.ZodError): string =>
  error.issues.map((issue) => `${issue.path.join(".") || "record"}: ${issue.message}`).join("; ");

/** The event, read at the edge; throws {@link FirehoseEventError} naming what is wrong. */
export function parseFirehoseTransformationEvent(event: unknown): FirehoseTransformationInput {
  const parsed = firehoseTransformationEventSchema.safeParse(event);
  if (!parsed.success) {
    throw new FirehoseEventError(`not a Firehose transformation event: ${describeIssues(parsed.error)}`);
  }
  return parsed.data;
}

/** What Firehose accepts back for one record. */
export interface FirehoseResultRecord {
  readonly recordId: string;
  readonly result: "Ok" | "ProcessingFailed";
  /** Base64: the archived line (`Ok`), or the record's own bytes, untouched (`ProcessingFailed`). */
  readonly data: string;
}

/** A record the transform could not wrap, and why (Firehose files it under the error prefix). */
export interface ArchiveTransformFailure {
  readonly recordId: string;
  readonly reason: string;
}

/** The response to Firehose and what happened to each record. */
export interface ArchiveTransformResult {
  readonly response: { readonly records: readonly FirehoseResultRecord[] };
  readonly archived: number;
  readonly failures: readonly ArchiveTransformFailure[];
}

/**
 * Wraps each record of a Firehose transformation event as one line of the archive (`archiveLine`): its stream
 * position and arrival time from `kinesisRecordMetadata`, its bytes untouched. A record that cannot be wrapped
 * (no Kinesis metadata, a sequence number that is not digits, data that is not base64) comes back
 * `ProcessingFailed` with its own data, which Firehose writes under the error prefix: never a throw for one record,
 * so the others are archived and nothing is lost. Pure: the same event gives the same result.
 */
export function archiveFirehoseRecords(event: FirehoseTransformationInput): ArchiveTransformResult {
  const failures: ArchiveTransformFailure[] = [];
  const records = event.records.map((raw): FirehoseResultRecord => {
    const { recordId } = raw;
    const original: unknown = Reflect.get(raw, "data");
    const failed = (reason: string): FirehoseResultRecord => {
      failures.push({ recordId, reason });
      return { recordId, result: "ProcessingFailed", data: typeof original === "string" ? original : "" };
    };
    const parsed = firehoseRecordSchema.safeParse(raw);
    if (!parsed.success) return failed(describeIssues(parsed.error));
    const { data, kinesisRecordMetadata: meta } = parsed.data;
    const arrived = meta.approximateArrivalTimestamp ?? parsed.data.approximateArrivalTimestamp;
    if (arrived === undefined) return failed("kinesisRecordMetadata.approximateArrivalTimestamp: missing");
    try {
      const line = archiveLine({
        v: ARCHIVE_FORMAT_VERSION,
        shardId: meta.shardId,
        partitionKey: meta.partitionKey,
        sequenceNumber: meta.sequenceNumber,
        ...(meta.subsequenceNumber === undefined ? {} : { subsequenceNumber: meta.subsequenceNumber }),
        arrivedAt: new Date(arrived).toISOString(),
        data,
      });
      return { recordId, result: "Ok", data: Buffer.from(line, "utf8").toString("base64") };
    } catch (error) {
      return failed(error instanceof z.ZodError ? describeIssues(error) : String(error));
    }
  });
  return { response: { records }, archived: records.length - failures.length, failures };
}
