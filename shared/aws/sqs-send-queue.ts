import type { SQSClient } from "@aws-sdk/client-sqs";
import type { SendIntent } from "../domain/campaigns/contracts.js";
import type { SendQueue } from "../ports.js";
import { sendInBatches } from "./sqs-batch-send.js";

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

  enqueue(intents: readonly SendIntent[]): Promise<ReadonlySet<string>> {
    return sendInBatches(this.#client, this.#queueUrl, intents, {
      id: (intent) => intent.key,
      body: (intent) => JSON.stringify(intent),
      attributes: (intent) => ({
        campaignId: { DataType: "String", StringValue: intent.campaignId },
        customerId: { DataType: "String", StringValue: intent.customerId },
      }),
    });
  }
}
