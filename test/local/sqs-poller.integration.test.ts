import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulators, startEmulators } from "#infra/local/emulators.js";
import { defaultSqsMappingSettings, type SqsHandler, SqsPoller } from "#infra/local/sqs-poller.js";
import { tempDir, testClients } from "./helpers.js";

const fn = {
  functionName: "tailor-test",
  functionArn: "arn:aws:lambda:us-east-1:000000000000:function:tailor-test",
  memorySize: 256,
  timeoutSeconds: 5,
};
const arnOf = (name: string) => `arn:aws:sqs:us-east-1:000000000000:${name}`;

let emulators: Emulators;
let sqs: SQSClient;
const data = tempDir("tailor-sqs-poller-");
let queueCount = 0;

beforeAll(async () => {
  emulators = await startEmulators({
    dataDir: data.dir,
    ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0 },
  });
  ({ sqs } = testClients(emulators.endpoints));
});

afterAll(async () => {
  sqs?.destroy();
  await emulators?.stop();
  data.remove();
});

/** A queue (with a DLQ after `maxReceiveCount` receives, if given) and its URL. */
async function queue(options: { maxReceiveCount?: number; visibilitySeconds?: number } = {}) {
  const name = `q-${++queueCount}`;
  const url = (n: string) => `${emulators.endpoints.sqs}/000000000000/${n}`;
  await sqs.send(new CreateQueueCommand({ QueueName: `${name}-dlq` }));
  const attributes: Record<string, string> = { VisibilityTimeout: String(options.visibilitySeconds ?? 30) };
  if (options.maxReceiveCount !== undefined) {
    attributes.RedrivePolicy = JSON.stringify({
      deadLetterTargetArn: arnOf(`${name}-dlq`),
      maxReceiveCount: options.maxReceiveCount,
    });
  }
  await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  return { name, url: url(name), dlqUrl: url(`${name}-dlq`), arn: arnOf(name) };
}

async function send(url: string, bodies: readonly string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: bodies.slice(i, i + 10).map((body, index) => ({
          Id: String(index),
          MessageBody: body,
          MessageAttributes: { kind: { DataType: "String", StringValue: "intent" } },
        })),
      }),
    );
  }
}

async function pending(url: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
}

function poller(q: { name: string; url: string; arn: string }, handler: SqsHandler, settings = {}) {
  return new SqsPoller({
    sqs,
    queueUrl: q.url,
    queueArn: q.arn,
    queueName: q.name,
    function: fn,
    handler,
    settings: { ...defaultSqsMappingSettings, ...settings },
    waitTimeSeconds: 1,
  });
}

describe("SqsPoller", () => {
  it("invokes the handler with Lambda's SQSEvent and deletes the messages of a successful batch", async () => {
    // GIVEN a queue with messages and a poller on it
    const q = await queue();
    const events: SQSEvent[] = [];
    const instance = poller(
      q,
      async (event) => {
        events.push(event);
      },
      { batchSize: 10, maximumBatchingWindowInSeconds: 1 },
    );
    await send(q.url, ["a", "b", "c"]);
    // WHEN it runs until idle
    instance.start();
    try {
      await instance.waitUntilIdle({ timeoutMs: 30_000 });
    } finally {
      await instance.stop();
    }
    // THEN every message was handled once and none is left
    expect(events.flatMap((e) => e.Records.map((r) => r.body)).sort()).toEqual(["a", "b", "c"]);
    expect(await pending(q.url)).toBe(0);
    expect(instance.counters).toMatchObject({ deleted: 3, failed: 0, inFlight: 0 });
    const record = events[0]?.Records[0];
    expect(record).toMatchObject({
      eventSource: "aws:sqs",
      eventSourceARN: q.arn,
      awsRegion: "us-east-1",
      attributes: { ApproximateReceiveCount: "1" },
      messageAttributes: { kind: { dataType: "String", stringValue: "intent" } },
    });
    expect(record?.messageId).toMatch(/.+/);
    expect(record?.receiptHandle).toMatch(/.+/);
  });

  it("with ReportBatchItemFailures deletes all but the failed ones, which come back, then go to the DLQ", async () => {
    // GIVEN a queue redriving to its DLQ after 2 receives, a short visibility timeout, and a handler that
    // always fails "bad"
    const q = await queue({ maxReceiveCount: 2, visibilitySeconds: 1 });
    const seen: { body: string; receives: string }[] = [];
    const instance = poller(
      q,
      async (event) => {
        for (const r of event.Records)
          seen.push({ body: r.body, receives: r.attributes.ApproximateReceiveCount });
        return {
          batchItemFailures: event.Records.filter((r) => r.body === "bad").map((r) => ({
            itemIdentifier: r.messageId,
          })),
        };
      },
      { reportBatchItemFailures: true },
    );
    await send(q.url, ["ok-1", "bad", "ok-2"]);
    // WHEN it runs until the queue is empty
    instance.start();
    try {
      await instance.waitUntilIdle({ timeoutMs: 30_000 });
    } finally {
      await instance.stop();
    }
    // THEN the good ones were handled once, the bad one twice (receive counts 1 and 2), then dead-lettered
    expect(seen.filter((s) => s.body.startsWith("ok")).length).toBe(2);
    expect(seen.filter((s) => s.body === "bad").map((s) => s.receives)).toEqual(["1", "2"]);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.dlqUrl, MaxNumberOfMessages: 10 }));
    expect((dead.Messages ?? []).map((m) => m.Body)).toEqual(["bad"]);
    expect(instance.counters).toMatchObject({ deleted: 2, failed: 2 });
  }, 60_000);

  it("without ReportBatchItemFailures a throwing handler leaves the whole batch", async () => {
    const q = await queue({ visibilitySeconds: 30 });
    let calls = 0;
    const instance = poller(q, async () => {
      calls++;
      throw new Error("boom");
    });
    await send(q.url, ["x", "y"]);
    instance.start();
    const deadline = Date.now() + 5000;
    while (calls === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await instance.stop();
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(instance.counters.deleted).toBe(0);
    expect(await pending(q.url)).toBe(2);
  });

  it("keeps at most MaximumConcurrency batches in flight", async () => {
    // GIVEN 12 messages, batches of 1, a slow handler, and MaximumConcurrency 2
    const q = await queue();
    let current = 0;
    let peak = 0;
    const instance = poller(
      q,
      async () => {
        current++;
        peak = Math.max(peak, current);
        await new Promise((r) => setTimeout(r, 60));
        current--;
      },
      { batchSize: 1, maximumConcurrency: 2 },
    );
    await send(
      q.url,
      Array.from({ length: 12 }, (_, i) => `m-${i}`),
    );
    // WHEN it drains the queue
    instance.start();
    try {
      await instance.waitUntilIdle({ timeoutMs: 30_000 });
    } finally {
      await instance.stop();
    }
    // THEN it ran two at a time, never more
    expect(peak).toBe(2);
    expect(instance.counters).toMatchObject({ batches: 12, deleted: 12, peakInFlight: 2 });
  });
});
