import { type MessageAttributeValue, SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { DependencyUnavailableError } from "../errors.js";

/** SendMessageBatch takes at most 10 entries. */
const SQS_BATCH_LIMIT = 10;

/** How one item becomes a message, and which id says it was accepted. */
export interface BatchMessage<T> {
  /** The id the caller knows the item by (a transition id, a send key). */
  readonly id: (item: T) => string;
  readonly body: (item: T) => string;
  readonly attributes?: (item: T) => Record<string, MessageAttributeValue>;
}

/**
 * Sends items to an SQS queue ten per `SendMessageBatch`, the batches in parallel, and resolves the ids of the
 * items SQS accepted (rejected entries are simply not in the set). When nothing at all went through, the first
 * failure is thrown as a retryable {@link DependencyUnavailableError}.
 */
export async function sendInBatches<T>(
  client: SQSClient,
  queueUrl: string,
  items: readonly T[],
  message: BatchMessage<T>,
): Promise<ReadonlySet<string>> {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += SQS_BATCH_LIMIT) chunks.push(items.slice(i, i + SQS_BATCH_LIMIT));
  const accepted = new Set<string>();
  const sent = await Promise.allSettled(
    chunks.map(async (chunk) => {
      const out = await client
        .send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            // Entry ids must be unique in the request and [A-Za-z0-9_-]: the position serves.
            Entries: chunk.map((item, index) => ({
              Id: String(index),
              MessageBody: message.body(item),
              ...(message.attributes === undefined ? {} : { MessageAttributes: message.attributes(item) }),
            })),
          }),
        )
        .catch((error: unknown) => {
          throw new DependencyUnavailableError(`SendMessageBatch to ${queueUrl} failed`, error);
        });
      for (const entry of out.Successful ?? []) {
        const item = chunk[Number(entry.Id)];
        if (item !== undefined) accepted.add(message.id(item));
      }
    }),
  );
  const failure = sent.find((outcome) => outcome.status === "rejected");
  if (accepted.size === 0 && failure !== undefined) throw failure.reason;
  return accepted;
}
