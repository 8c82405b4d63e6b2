import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createResources, type ResourcePlan } from "#infra/local/resources.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";

let dynamodb: DynamoDBClient;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ client: dynamodb, stop } = await startDynalite());
});

afterAll(async () => {
  await stop?.();
});

const plan = (name: string): ResourcePlan => ({
  streams: [],
  tables: [
    {
      logicalId: "ProfilesTable",
      name,
      arn: `arn:aws:dynamodb:us-east-1:000000000000:table/${name}`,
      input: {
        TableName: name,
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        BillingMode: "PAY_PER_REQUEST",
      },
    },
  ],
  buckets: [],
  queues: [],
  functions: [],
  kinesisMappings: [],
  sqsMappings: [],
  schedules: [],
  eventRules: [],
  httpApis: [],
  deliveryStreams: [],
  secrets: [],
  names: {},
  notes: [],
});

describe("createResources on a kept data dir", () => {
  // Only DynamoDB is reached: the plan has no stream, bucket or queue.
  const region = "us-east-1";
  const clients = () => ({
    dynamodb,
    kinesis: new KinesisClient({ region }),
    s3: new S3Client({ region }),
    sqs: new SQSClient({ region }),
  });

  it("says, in one message with the fix, that a table made by an older version has other keys", async () => {
    await createTable(dynamodb, "old-profiles", "customerId");
    await expect(createResources(plan("old-profiles"), clients())).rejects.toThrow(
      /keyed by customerId \(HASH\).*keys it by pk \(HASH\).*--fresh/,
    );
  });

  it("reuses a kept table with the template's keys", async () => {
    await createTable(dynamodb, "same-profiles", "pk");
    await expect(createResources(plan("same-profiles"), clients())).resolves.toMatchObject({});
  });
});
