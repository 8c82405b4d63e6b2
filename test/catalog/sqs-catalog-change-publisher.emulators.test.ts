import { CreateQueueCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqsCatalogChangePublisher } from "#shared/aws/sqs-catalog-change-publisher.js";
import { type CatalogChange, catalogChangeSchema } from "#shared/domain/catalog/index.js";
import { startDynaliteAndSqs } from "../support/dynamo-table.js";

let emulators: Awaited<ReturnType<typeof startDynaliteAndSqs>>;

beforeAll(async () => {
  emulators = await startDynaliteAndSqs();
}, 60_000);
afterAll(async () => emulators?.stop());

describe("SqsCatalogChangePublisher on fauxqs", () => {
  it("puts every change on the queue as JSON the consumer's schema reads back, ten per batch", async () => {
    const { QueueUrl } = await emulators.sqs.send(new CreateQueueCommand({ QueueName: "catalog-changes" }));
    const queueUrl = QueueUrl ?? "";
    const changes: CatalogChange[] = Array.from({ length: 23 }, (_, i) =>
      i % 2 === 0
        ? { kind: "price-drop", productId: `p-${i}`, at: 1_000 + i, currency: "EUR", before: 20, after: 15 }
        : { kind: "back-in-stock", productId: `p-${i}`, at: 1_000 + i },
    );
    await new SqsCatalogChangePublisher({ client: emulators.sqs, queueUrl }).publish(changes);
    const received: CatalogChange[] = [];
    while (received.length < changes.length) {
      const out = await emulators.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      if ((out.Messages ?? []).length === 0) break;
      for (const message of out.Messages ?? [])
        received.push(catalogChangeSchema.parse(JSON.parse(message.Body ?? "")));
    }
    expect(received.sort((a, b) => a.at - b.at)).toEqual(changes);
  });
});
