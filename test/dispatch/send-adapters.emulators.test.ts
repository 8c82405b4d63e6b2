import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoSendTimers } from "#shared/aws/dynamo-send-timers.js";
import { DynamoTimers } from "#shared/aws/dynamo-timers.js";
import { SqsSendQueue } from "#shared/aws/sqs-send-queue.js";
import type { SendIntent } from "#shared/domain/campaigns/contracts.js";
import { DependencyUnavailableError } from "#shared/errors.js";
import { createTable, startDynaliteAndSqs } from "../support/dynamo-table.js";
import { intent, MINUTE, T0 } from "./harness.js";

let dynamodb: DynamoDBClient;
let sqs: SQSClient;
let sqsEndpoint: string;
let stop: (() => Promise<void>) | undefined;
let tables = 0;

beforeAll(async () => {
  ({ dynamodb, sqs, sqsEndpoint, stop } = await startDynaliteAndSqs());
});

afterAll(async () => {
  await stop?.();
});

/** A fresh timers table (partition `b`, sort `k`), as the CDK creates it. */
function timersTable(): Promise<string> {
  return createTable(dynamodb, `timers-${++tables}`, "b", "k");
}

describe("DynamoSendTimers", () => {
  it("keeps whole intents until due, oldest first, and forgets completed ones", async () => {
    // Prepare
    const timers = new DynamoSendTimers({ client: dynamodb, tableName: await timersTable() });
    const early = intent("cart", "c-1", { dueAt: T0 - 10 * MINUTE, occurrence: "o#1" });
    const onTime = intent("cart", "c-2", { dueAt: T0 });
    const late = intent("cart", "c-3", { dueAt: T0 + 5 * MINUTE });
    for (const one of [late, onTime, early]) await timers.schedule(one);

    // Act
    const due = await timers.due(T0, 100);

    // Assess
    expect(due).toEqual([early, onTime]);
    for (const one of due) await timers.complete(one);
    expect(await timers.due(T0, 100)).toEqual([]);
    expect(await timers.due(T0 + 5 * MINUTE, 100)).toEqual([late]);
  });

  it("is idempotent per send key and due time; another due time of the same key is another timer", async () => {
    const timers = new DynamoSendTimers({ client: dynamodb, tableName: await timersTable() });
    const one = intent("cart", "c-1", { dueAt: T0 - MINUTE });
    const deferred = { ...one, dueAt: T0 };

    await timers.schedule(one);
    await timers.schedule(one);
    await timers.schedule(deferred);

    expect(await timers.due(T0, 100)).toEqual([one, deferred]);
  });

  it("shares the table with segment timers without either seeing the other", async () => {
    // Prepare: the same customer and due time in both kinds.
    const name = await timersTable();
    const sends = new DynamoSendTimers({ client: dynamodb, tableName: name });
    const segments = new DynamoTimers({ client: dynamodb, tableName: name });
    const one = intent("cart", "c-1", { dueAt: T0 - MINUTE });
    await sends.schedule(one);
    await segments.schedule("c-1", T0 - MINUTE);
    await segments.schedule("c-2", T0 - 2 * MINUTE);

    // Act
    const segmentDue = await segments.due(T0, 100);
    for (const timer of segmentDue) await segments.complete(timer);
    // The segment poll moved its own cursor past these minutes: send timers are still found.
    const sendDue = await sends.due(T0 + MINUTE, 100);

    // Assess
    expect(segmentDue).toEqual([
      { customerId: "c-2", dueAt: T0 - 2 * MINUTE },
      { customerId: "c-1", dueAt: T0 - MINUTE },
    ]);
    expect(sendDue).toEqual([one]);
    await sends.complete(one);
    expect(await sends.due(T0 + MINUTE, 100)).toEqual([]);
    expect(await segments.due(T0 + MINUTE, 100)).toEqual([]);
  });
});

async function receiveAll(queueUrl: string): Promise<{ body: string; campaignId: string | undefined }[]> {
  const bodies: { body: string; campaignId: string | undefined }[] = [];
  for (;;) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ["All"],
      }),
    );
    const received = out.Messages ?? [];
    if (received.length === 0) return bodies;
    for (const message of received) {
      bodies.push({
        body: message.Body ?? "",
        campaignId: message.MessageAttributes?.campaignId?.StringValue,
      });
    }
    await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: received.map((message, i) => ({
          Id: String(i),
          ReceiptHandle: message.ReceiptHandle ?? "",
        })),
      }),
    );
  }
}

describe("SqsSendQueue", () => {
  it("enqueues in batches of ten, one message per intent, and resolves every accepted key", async () => {
    // Prepare
    const created = await sqs.send(new CreateQueueCommand({ QueueName: "sends-ok" }));
    const queueUrl = created.QueueUrl ?? "";
    const queue = new SqsSendQueue({ client: sqs, queueUrl });
    const intents: SendIntent[] = Array.from({ length: 23 }, (_, i) => intent("cart", `c-${i}`));

    // Act
    const accepted = await queue.enqueue(intents);

    // Assess
    expect(accepted).toEqual(new Set(intents.map((one) => one.key)));
    const received = await receiveAll(queueUrl);
    expect(
      received.map((message) => JSON.parse(message.body)).sort((a, b) => (a.key < b.key ? -1 : 1)),
    ).toEqual([...intents].sort((a, b) => (a.key < b.key ? -1 : 1)));
    expect(new Set(received.map((message) => message.campaignId))).toEqual(new Set(["cart"]));
  });

  it("throws a retryable error when nothing could be enqueued", async () => {
    const queue = new SqsSendQueue({
      client: sqs,
      queueUrl: `${sqsEndpoint}/000000000000/missing`,
    });

    const failure = queue.enqueue([intent("cart", "c-1")]);

    await expect(failure).rejects.toBeInstanceOf(DependencyUnavailableError);
    await expect(failure).rejects.toMatchObject({ retryable: true });
  });
});
