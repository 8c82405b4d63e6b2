import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SegmentTransition } from "../domain/segments/contracts.js";
import type { TransitionPublisher } from "../ports.js";
import { sendInBatches } from "./sqs-batch-send.js";

/**
 * Publishes segment transitions to an SQS standard queue, ten per `SendMessageBatch`; the body of each message
 * is the transition as JSON. Standard queues do not de-duplicate: consumers de-duplicate on the transition's
 * deterministic `id` (delivery is at least once). Entries SQS rejects are left out of the accepted set (they
 * stay in the outbox for the next attempt).
 */
export class SqsTransitionPublisher implements TransitionPublisher {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  publish(transitions: readonly SegmentTransition[]): Promise<ReadonlySet<string>> {
    return sendInBatches(this.#client, this.#queueUrl, transitions, {
      id: (t) => t.id,
      body: (t) => JSON.stringify(t),
    });
  }
}
