import type { SQSClient } from "@aws-sdk/client-sqs";
import type { CatalogChange } from "../domain/catalog/index.js";
import { DependencyUnavailableError } from "../errors.js";
import type { CatalogChangePublisher } from "../ports.js";
import { sendInBatches } from "./sqs-batch-send.js";

/** The id a change is known by in a batch (unique per product, kind, currency and time). */
function changeId(change: CatalogChange): string {
  const currency = change.kind === "price-drop" ? change.currency : "";
  return `${change.kind}|${change.productId}|${currency}|${change.at}`;
}

/**
 * Publishes catalog changes to the catalog changes queue (SQS standard), ten per `SendMessageBatch`, each
 * message the change as JSON (`catalogChangeSchema` reads it back). Resolves once SQS accepted every change;
 * throws a retryable {@link DependencyUnavailableError} naming how many it did not (the caller retries the whole
 * import or batch: a change may then be delivered twice, which the consumer de-duplicates on product, kind and
 * time).
 */
export class SqsCatalogChangePublisher implements CatalogChangePublisher {
  readonly #client: SQSClient;
  readonly #queueUrl: string;

  constructor(options: { readonly client: SQSClient; readonly queueUrl: string }) {
    this.#client = options.client;
    this.#queueUrl = options.queueUrl;
  }

  async publish(changes: readonly CatalogChange[]): Promise<void> {
    if (changes.length === 0) return;
    const accepted = await sendInBatches(this.#client, this.#queueUrl, changes, {
      id: changeId,
      body: (change) => JSON.stringify(change),
    });
    const rejected = changes.filter((change) => !accepted.has(changeId(change))).length;
    if (rejected > 0) {
      throw new DependencyUnavailableError(
        `${rejected} of ${changes.length} catalog changes were not accepted by SQS`,
      );
    }
  }
}
