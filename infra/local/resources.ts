import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  type KeySchemaElement,
} from "@aws-sdk/client-dynamodb";
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
} from "@aws-sdk/client-kinesis";
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueUrlCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { LocalStackError } from "./local-errors.js";
import type { ResourcePlan } from "./resource-plan.js";

export type { ResourcePlan } from "./resource-plan.js";
export { planResources } from "./resource-plan.js";

/** The clients resources are created with. */
export interface ResourceClients {
  readonly dynamodb: DynamoDBClient;
  readonly kinesis: KinesisClient;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
}

/** What `createResources` did with each resource. */
export interface CreatedResources {
  readonly created: readonly string[];
  readonly existing: readonly string[];
}

const errorName = (error: unknown): string =>
  typeof error === "object" && error !== null && "name" in error ? String(error.name) : "";

/** Runs `create`; an error named in `exists` means the resource was already there. */
async function idempotent(create: () => Promise<unknown>, exists: readonly string[]): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (error) {
    if (exists.includes(errorName(error))) return false;
    throw error;
  }
}

const keysOf = (schema: readonly KeySchemaElement[] | undefined): string =>
  (schema ?? []).map((key) => `${key.AttributeName ?? "?"} (${key.KeyType ?? "?"})`).join(", ");

/**
 * A table kept in the data dir must have the keys the template declares: one made by an older Tailor (the profiles
 * were once keyed by the raw `customerId`) cannot be read by today's code, so say so instead of failing later.
 */
function checkKeySchema(
  name: string,
  wanted: readonly KeySchemaElement[] | undefined,
  found: readonly KeySchemaElement[] | undefined,
): void {
  if (keysOf(wanted) === keysOf(found)) return;
  throw new LocalStackError(
    `table ${name} in the data dir is keyed by ${keysOf(found)}, but this version of Tailor keys it by ` +
      `${keysOf(wanted)}: it was made by an older version. Start once with --fresh to rebuild the local data ` +
      "(this deletes it), or use another --data-dir",
  );
}

/** A table kept in the data dir must have the indexes the template declares (erasure queries them). */
function checkIndexes(
  name: string,
  wanted: readonly { IndexName?: string }[] | undefined,
  found: readonly { IndexName?: string }[] | undefined,
): void {
  const have = new Set((found ?? []).map((index) => index.IndexName));
  const missing = (wanted ?? []).filter((index) => !have.has(index.IndexName));
  if (missing.length === 0) return;
  throw new LocalStackError(
    `table ${name} in the data dir has no index ${missing.map((index) => index.IndexName).join(", ")}, which ` +
      "this version of Tailor queries: it was made by an older version. Start once with --fresh to rebuild the " +
      "local data (this deletes it), or use another --data-dir",
  );
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new LocalStackError(`${what} did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Creates the plan's streams, tables, buckets and queues, each under its local name, and waits until they
 * are usable. Idempotent: a resource that already exists (a persisted data dir, a second run) is fine.
 */
export async function createResources(
  plan: ResourcePlan,
  clients: ResourceClients,
  log: (line: string) => void = () => {},
): Promise<CreatedResources> {
  const created: string[] = [];
  const existing: string[] = [];
  const record = (name: string, isNew: boolean) => (isNew ? created : existing).push(name);

  for (const stream of plan.streams) {
    const isNew = await idempotent(
      () =>
        clients.kinesis.send(
          new CreateStreamCommand({ StreamName: stream.name, ShardCount: stream.shardCount }),
        ),
      ["ResourceInUseException"],
    );
    record(stream.name, isNew);
    await until(`stream ${stream.name}`, async () => {
      const out = await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: stream.name }));
      const summary = out.StreamDescriptionSummary;
      if (!isNew && summary?.OpenShardCount !== undefined && summary.OpenShardCount !== stream.shardCount) {
        log(
          `stream ${stream.name} has ${summary.OpenShardCount} shards; the template says ${stream.shardCount}`,
        );
      }
      return summary?.StreamStatus === "ACTIVE";
    });
  }

  for (const table of plan.tables) {
    const isNew = await idempotent(
      () => clients.dynamodb.send(new CreateTableCommand(table.input)),
      ["ResourceInUseException"],
    );
    record(table.name, isNew);
    await until(`table ${table.name}`, async () => {
      const out = await clients.dynamodb.send(new DescribeTableCommand({ TableName: table.name }));
      if (!isNew) {
        checkKeySchema(table.name, table.input.KeySchema, out.Table?.KeySchema);
        checkIndexes(table.name, table.input.GlobalSecondaryIndexes, out.Table?.GlobalSecondaryIndexes);
      }
      return out.Table?.TableStatus === "ACTIVE";
    });
  }

  for (const bucket of plan.buckets) {
    // In us-east-1 CreateBucket succeeds for a bucket you own, so ask first to report it truthfully.
    const exists = await clients.s3.send(new HeadBucketCommand({ Bucket: bucket.name })).then(
      () => true,
      (error: unknown) => {
        if (errorName(error) === "NotFound" || errorName(error) === "NoSuchBucket") return false;
        throw error;
      },
    );
    const isNew =
      !exists &&
      (await idempotent(
        () => clients.s3.send(new CreateBucketCommand({ Bucket: bucket.name })),
        ["BucketAlreadyOwnedByYou", "BucketAlreadyExists"],
      ));
    record(bucket.name, isNew);
  }

  for (const queue of plan.queues) {
    // CreateQueue succeeds for an existing queue with equal attributes, so ask first to report it truthfully.
    const exists = await clients.sqs.send(new GetQueueUrlCommand({ QueueName: queue.name })).then(
      () => true,
      (error: unknown) => {
        if (errorName(error) === "QueueDoesNotExist") return false;
        throw error;
      },
    );
    const isNew =
      !exists &&
      (await idempotent(
        () =>
          clients.sqs.send(new CreateQueueCommand({ QueueName: queue.name, Attributes: queue.attributes })),
        ["QueueNameExists", "QueueAlreadyExists"],
      ));
    record(queue.name, isNew);
  }

  if (created.length > 0) log(`created ${created.join(", ")}`);
  if (existing.length > 0) log(`already there: ${existing.join(", ")}`);
  return { created, existing };
}
