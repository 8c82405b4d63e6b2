import { type AttributeValue, DynamoDBClient, QueryCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from "@aws-sdk/client-sqs";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { putAll } from "#infra/local/put-records.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { DynamoExperimentCounters } from "#shared/aws/dynamo-experiment-counters.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { type ExperimentMetric, isExperimentMetric } from "#shared/domain/analytics/index.js";
import type { Profile } from "#shared/domain/profile/index.js";
import { readSentMail } from "#shared/sim/sent-mail.js";
import type { ShopEvent } from "./shop-events.js";
import type { ChildEndpoints } from "./stack-child.js";

const base = { region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } };
const encoder = new TextEncoder();

/** SDK clients for one run of the stack child (its ports change at every start), and what the tests read. */
export class StackReaders {
  readonly #dynamodb: DynamoDBClient;
  readonly #kinesis: KinesisClient;
  readonly #sqs: SQSClient;

  constructor(endpoints: ChildEndpoints) {
    this.#dynamodb = new DynamoDBClient({ ...base, endpoint: endpoints.dynamodb, maxAttempts: 1 });
    // kinesalite: HTTP/1.1 (see LOCAL-STACK-NOTES).
    this.#kinesis = new KinesisClient({
      ...base,
      endpoint: endpoints.kinesis,
      requestHandler: new NodeHttpHandler(),
    });
    this.#sqs = new SQSClient({ ...base, endpoint: endpoints.sqs });
  }

  destroy(): void {
    this.#dynamodb.destroy();
    this.#kinesis.destroy();
    this.#sqs.destroy();
  }

  /** Puts the events on the event stream, keyed by customer, in order. */
  async put(events: readonly ShopEvent[]): Promise<void> {
    await putAll({
      kinesis: this.#kinesis,
      streamName: LOCAL_NAMES.eventStream,
      records: events.map((event) => ({
        partitionKey: event.customerId,
        data: encoder.encode(JSON.stringify(event.body)),
      })),
    });
  }

  /** The stored profiles of `customerIds` (the unknown ones are absent). */
  async profiles(customerIds: readonly string[]): Promise<Map<string, Profile>> {
    const store = new DynamoProfileStore({ client: this.#dynamodb, tableName: LOCAL_NAMES.profileTable });
    const stored = await store.getMany(customerIds);
    return new Map([...stored].map(([id, { profile }]) => [id, profile]));
  }

  /** The sum of every profile item's version: it grows with every profile write (progress, to time a kill). */
  async profileWrites(): Promise<number> {
    let sum = 0;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.#dynamodb.send(
        new ScanCommand({
          TableName: LOCAL_NAMES.profileTable,
          ProjectionExpression: "version",
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) sum += Number(item.version?.N ?? 0);
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return sum;
  }

  /** A campaign's experiment counters, summed over arms and segments, by metric. */
  async counterTotals(campaignId: string): Promise<Partial<Record<ExperimentMetric, number>>> {
    const counters = new DynamoExperimentCounters({
      client: this.#dynamodb,
      tableName: LOCAL_NAMES.segmentsTable,
    });
    const sums: Partial<Record<ExperimentMetric, number>> = {};
    for (const arm of await counters.totals(campaignId)) {
      for (const [metric, n] of Object.entries(arm.counts)) {
        if (isExperimentMetric(metric)) sums[metric] = (sums[metric] ?? 0) + (n ?? 0);
      }
    }
    return sums;
  }

  /** The state of each send-ledger claim of a customer (`pending`, `sent`, …), by send key. */
  async claims(customerId: string): Promise<Map<string, string>> {
    const out = await this.#dynamodb.send(
      new QueryCommand({
        TableName: LOCAL_NAMES.sendLedgerTable,
        KeyConditionExpression: "customerId = :c AND begins_with(sk, :k)",
        ExpressionAttributeValues: { ":c": { S: customerId }, ":k": { S: "key#" } },
      }),
    );
    const found = new Map<string, string>();
    for (const item of out.Items ?? []) {
      const key = item.sk?.S;
      if (key !== undefined) found.set(key.slice("key#".length), item.state?.S ?? "?");
    }
    return found;
  }

  /** Messages on a queue (visible + in flight), by its local name. */
  async queueDepth(queueName: string): Promise<number> {
    const { QueueUrl } = await this.#sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
    const out = await this.#sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    const attributes = out.Attributes ?? {};
    return (
      Number(attributes.ApproximateNumberOfMessages ?? 0) +
      Number(attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  /** Every send-ledger item of a customer (claims and log), as JSON lines: for post-mortems. */
  async ledgerItems(customerId: string): Promise<string[]> {
    const out = await this.#dynamodb.send(
      new QueryCommand({
        TableName: LOCAL_NAMES.sendLedgerTable,
        KeyConditionExpression: "customerId = :c",
        ExpressionAttributeValues: { ":c": { S: customerId } },
      }),
    );
    return (out.Items ?? []).map((item) => JSON.stringify(item));
  }

  /** The sends queue's visibility timeout, in seconds. */
  async sendsVisibility(): Promise<number> {
    const { QueueUrl } = await this.#sqs.send(new GetQueueUrlCommand({ QueueName: LOCAL_NAMES.sendsQueue }));
    const out = await this.#sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["VisibilityTimeout"] }),
    );
    return Number(out.Attributes?.VisibilityTimeout);
  }
}

/** Every email the mail sink received, counted by recipient address. */
export async function mailByRecipient(sinkUrl: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const mail of await readSentMail(sinkUrl)) {
    for (const to of mail.to) counts.set(to, (counts.get(to) ?? 0) + 1);
  }
  return counts;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Calls `probe` every `everyMs` until it returns true or `timeoutMs` passes; returns whether it did. Errors of the
 * probe (a store not answering yet) count as false.
 */
export async function until(
  probe: () => Promise<boolean>,
  options: { readonly timeoutMs: number; readonly everyMs?: number },
): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const done = await probe().catch(() => false);
    if (done) return true;
    if (Date.now() >= deadline) return false;
    await sleep(options.everyMs ?? 500);
  }
}
