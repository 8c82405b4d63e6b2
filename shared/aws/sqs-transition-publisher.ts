import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SegmentTransition } from "../domain/segments/contracts.js";
import { DependencyUnavailableError } from "../errors.js";
import type { TransitionPublisher } from "../ports.js";

/** SendMessageBatch takes at most 10 entries. */
const SQS_BATCH_LIMIT = 10;

/**
 * Publishes segment transitions to an SQS standard queue, ten per `SendMessageBatch`; the body of each message
 * is the transition as JSON. Standard queues do not de-duplicate: consumers de-duplicate on the transition's
 * deterministic `id` (delivery is at least once). Entries SQS rejects are left out of the accepted set.
 */
export class SqsTransitionPublisher implements TransitionPublisher {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async publish(transitions: readonly SegmentTransition[]): Promise<ReadonlySet<string>> {
    const chunks: SegmentTransition[][] = [];
    for (let i = 0; i < transitions.length; i += SQS_BATCH_LIMIT) {
      chunks.push(transitions.slice(i, i + SQS_BATCH_LIMIT));
    }
    const accepted = new Set<string>();
    const sent = await Promise.allSettled(
      chunks.map(async (chunk) => {
        const out = await this.#client
          .send(
            new SendMessageBatchCommand({
              QueueUrl: this.#queueUrl,
              // Entry ids must be unique in the request and [A-Za-z0-9_-]: the position serves.
              Entries: chunk.map((t, index) => ({ Id: String(index), MessageBody: JSON.stringify(t) })),
            }),
          )
          .catch((error: unknown) => {
            throw new DependencyUnavailableError(`SendMessageBatch to ${this.#queueUrl} failed`, error);
          });
        for (const entry of out.Successful ?? []) {
          const transition = chunk[Number(entry.Id)];
          if (transition !== undefined) accepted.add(transition.id);
        }
      }),
    );
    // Nothing went through: say why. Some did: the rest stays in the outbox for the next attempt.
    const failure = sent.find((outcome) => outcome.status === "rejected");
    if (accepted.size === 0 && failure !== undefined) throw failure.reason;
    return accepted;
  }
}
