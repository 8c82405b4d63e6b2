import type { Message } from "@aws-sdk/client-sqs";
import type { Context, SQSEvent, SQSMessageAttributes, SQSRecord } from "aws-lambda";
import { z } from "zod";

/** A Lambda handler for SQS events (middy-wrapped or plain); it may resolve an `SQSBatchResponse`. */
export type SqsHandler = (event: SQSEvent, context: Context) => Promise<unknown>;

/** The queue a batch comes from, for the fields Lambda puts on every record. */
export interface QueueSource {
  readonly queueArn: string;
  readonly region: string;
}

function messageAttributes(message: Message): SQSMessageAttributes {
  const attributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    attributes[name] = {
      dataType: value.DataType ?? "String",
      stringValue: value.StringValue,
      binaryValue:
        value.BinaryValue === undefined ? undefined : Buffer.from(value.BinaryValue).toString("base64"),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString("base64")),
    };
  }
  return attributes;
}

/** One message exactly as Lambda's SQS event source mapping delivers it. */
export function toSqsRecord(message: Message, source: QueueSource, now: number): SQSRecord {
  const system = message.Attributes ?? {};
  const record: SQSRecord = {
    messageId: message.MessageId ?? "",
    receiptHandle: message.ReceiptHandle ?? "",
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: system.ApproximateReceiveCount ?? "1",
      SentTimestamp: system.SentTimestamp ?? String(now),
      SenderId: system.SenderId ?? "000000000000",
      ApproximateFirstReceiveTimestamp: system.ApproximateFirstReceiveTimestamp ?? String(now),
    },
    messageAttributes: messageAttributes(message),
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: source.queueArn,
    awsRegion: source.region,
  };
  if (message.MD5OfMessageAttributes !== undefined)
    record.md5OfMessageAttributes = message.MD5OfMessageAttributes;
  for (const key of ["MessageGroupId", "MessageDeduplicationId", "SequenceNumber"] as const) {
    const value = system[key];
    if (value !== undefined) record.attributes[key] = value;
  }
  return record;
}

/** The `SQSEvent` of a batch. */
export function toSqsEvent(messages: readonly Message[], source: QueueSource, now: number): SQSEvent {
  return { Records: messages.map((message) => toSqsRecord(message, source, now)) };
}

const responseSchema = z.looseObject({
  batchItemFailures: z.array(z.looseObject({ itemIdentifier: z.unknown() })).nullish(),
});

/** What the poller does with a batch after an invocation that returned. */
export type SqsOutcome =
  | { readonly kind: "ok" }
  /** Only these message ids failed: the others are deleted. */
  | { readonly kind: "partial"; readonly failedIds: ReadonlySet<string> }
  /** The whole batch failed (a malformed response): nothing is deleted. */
  | { readonly kind: "error"; readonly error: Error };

/**
 * Reads a handler's response as Lambda's SQS mapping does with `ReportBatchItemFailures`: nothing or an empty
 * `batchItemFailures` is success; the listed message ids failed; an identifier that is empty or not a message of
 * the batch fails the whole batch. Without `ReportBatchItemFailures` the response is ignored.
 */
export function interpretSqsResponse(
  response: unknown,
  messageIds: readonly string[],
  reportBatchItemFailures: boolean,
): SqsOutcome {
  if (!reportBatchItemFailures || response === undefined || response === null) return { kind: "ok" };
  const parsed = responseSchema.safeParse(response);
  if (!parsed.success) return { kind: "ok" };
  const failures = parsed.data.batchItemFailures ?? [];
  if (failures.length === 0) return { kind: "ok" };
  const failedIds = new Set<string>();
  for (const { itemIdentifier } of failures) {
    if (typeof itemIdentifier !== "string" || !messageIds.includes(itemIdentifier)) {
      return {
        kind: "error",
        error: new Error(
          `batchItemFailures names ${JSON.stringify(itemIdentifier)}, not a message of the batch`,
        ),
      };
    }
    failedIds.add(itemIdentifier);
  }
  return { kind: "partial", failedIds };
}
