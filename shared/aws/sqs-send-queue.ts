import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SendIntent } from "../domain/campaigns/contracts.js";
import { DependencyUnavailableError } from "../errors.js";
import type { SendQueue } from "../ports.js";

/** SendMessageBatch takes at most 10 entries. */
const SQS_BATCH_LIMIT = 10;

/**
 * The sends queue on SQS: ten intents per `SendMessageBatch`, each body the intent as JSON, with the campaign and
 * customer as message attributes (for a look at the DLQ without parsing bodies). Entries SQS rejects are left
 * out of the accepted set; when nothing at all went through, the first failure is thrown.
 */
export class SqsSendQueue implements SendQueue {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async enqueue(intents: readonly SendIntent[]): Promise<ReadonlySet<string>> {
    const chunks: SendIntent[][] = [];
    for (let i = 0; i < intents.length; i += SQS_BATCH_LIMIT)
      chunks.push(intents.slice(i, i + SQS_BATCH_LIMIT));
    const accepted = new Set<string>();
    const sent = await Promise.allSettled(
      chunks.map(async (chunk) => {
        const out = await this.#client
          .send(
            new SendMessageBatchCommand({
              QueueUrl: this.#queueUrl,
              // Entry ids must be unique in the request and [A-Za-z0-9_-]: the position serves.
              Entries: chunk.map((intent, index) => ({
                Id: String(index),
                MessageBody: JSON.stringify(intent),
                MessageAttributes: {
                  campaignId: { DataType: "String", StringValue: intent.campaignId },
                  customerId: { DataType: "String", StringValue: intent.customerId },
                },
              })),
            }),
          )
          .catch((error: unknown) => {
            throw new DependencyUnavailableError(`SendMessageBatch to ${this.#queueUrl} failed`, error);
          });
        for (const entry of out.Successful ?? []) {
          const intent = chunk[Number(entry.Id)];
          if (intent !== undefined) accepted.add(intent.key);
        }
      }),
    );
    const failure = sent.find((outcome) => outcome.status === "rejected");
    if (accepted.size === 0 && failure !== undefined) throw failure.reason;
    return accepted;
  }
}
