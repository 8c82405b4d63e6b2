import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type Endpoints, startEmulators } from "#infra/local/emulators.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** A fresh temporary folder and its cleanup. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Clients with explicit endpoints (the tests do not rely on the env the stack sets, except where tested). */
export function testClients(endpoints: Endpoints) {
  return {
    kinesis: new KinesisClient({ region: "us-east-1", credentials, endpoint: endpoints.kinesis }),
    sqs: new SQSClient({ region: "us-east-1", credentials, endpoint: endpoints.sqs }),
  };
}

/**
 * The emulators in a temporary data dir and a Kinesis client on them, for a file that only needs the stream;
 * `stop` closes the client and the emulators and removes the dir.
 */
export async function startKinesisEmulators(
  prefix: string,
): Promise<{ kinesis: KinesisClient; stop: () => Promise<void> }> {
  const data = tempDir(prefix);
  const emulators = await startEmulators({
    dataDir: data.dir,
    ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0 },
  });
  const { kinesis } = testClients(emulators.endpoints);
  return {
    kinesis,
    stop: async () => {
      kinesis.destroy();
      await emulators.stop();
      data.remove();
    },
  };
}

/** Creates a stream and waits until it is ACTIVE. */
export async function createStream(kinesis: KinesisClient, name: string, shards = 1): Promise<string> {
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  for (;;) {
    const out = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    const summary = out.StreamDescriptionSummary;
    if (summary?.StreamStatus === "ACTIVE" && summary.StreamARN !== undefined) return summary.StreamARN;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Puts `bodies` (one record each, partition key from `key`) and returns their sequence numbers in order. */
export async function putRecords(
  kinesis: KinesisClient,
  stream: string,
  bodies: readonly string[],
  key: (index: number) => string = () => "k",
): Promise<string[]> {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: stream,
      Records: bodies.map((body, i) => ({ PartitionKey: key(i), Data: new TextEncoder().encode(body) })),
    }),
  );
  if ((out.FailedRecordCount ?? 0) > 0) throw new Error("put failed");
  return (out.Records ?? []).map((r) => r.SequenceNumber ?? "");
}

/** Creates a queue, returning its URL on the local endpoint (as the local stack resolves `Ref`). */
export async function createQueue(sqs: SQSClient, endpoints: Endpoints, name: string): Promise<string> {
  await sqs.send(new CreateQueueCommand({ QueueName: name }));
  return `${endpoints.sqs}/000000000000/${name}`;
}

/** Receives every message the queue holds now (bodies parsed as JSON). */
export async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) return bodies;
    for (const message of messages) bodies.push(JSON.parse(message.Body ?? "null"));
  }
}
