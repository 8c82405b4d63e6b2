import { readFileSync } from "node:fs";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import type { KinesisHandler } from "#infra/local/kinesis-poller.js";
import { startLocalStack } from "#infra/local/local-stack.js";
import { readStackState } from "#infra/local/stack-state.js";
import { tempDir } from "./helpers.js";

const template: unknown = JSON.parse(
  readFileSync(new URL("./fixtures/template.json", import.meta.url), "utf8"),
);
const anyPort = { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0 };
const data = tempDir("tailor-stack-");
afterAll(() => data.remove());

/** A stand-in for the ingest handler: remembers what it got and the env it saw. */
function fakeIngest() {
  const bodies: string[] = [];
  const tables: (string | undefined)[] = [];
  const handler: KinesisHandler = async (event) => {
    tables.push(process.env.PROFILES_TABLE);
    bodies.push(...event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString("utf8")));
    return { batchItemFailures: [] };
  };
  return { handler, bodies, tables };
}

async function put(bodies: readonly string[]): Promise<void> {
  // An unchanged client: region, credentials and endpoint all come from the environment the stack set.
  const kinesis = new KinesisClient({});
  await kinesis.send(
    new PutRecordsCommand({
      StreamName: "tailor-events",
      Records: bodies.map((b) => ({ PartitionKey: "c-1", Data: new TextEncoder().encode(b) })),
    }),
  );
  kinesis.destroy();
}

describe("startLocalStack", () => {
  it("creates the template's resources, sets the env, and runs the handler behind its mapping", async () => {
    const before = process.env.PROFILES_TABLE;
    const lines: string[] = [];
    const ingest = fakeIngest();
    const stack = await startLocalStack({
      dataDir: data.dir,
      fresh: true,
      ports: anyPort,
      template,
      handlers: { "tailor-ingest": ingest.handler },
      log: (line) => lines.push(line),
      pollerTiming: { idlePollMaxMs: 50 },
    });
    try {
      expect(stack.names).toEqual({
        streams: ["tailor-events"],
        tables: ["tailor-profiles"],
        buckets: ["tailor-quarantine"],
        queues: ["tailor-ingest-dlq"],
        functions: ["tailor-ingest"],
        schedules: [],
        eventRules: [],
        stateMachines: [],
      });
      expect(process.env).toMatchObject({
        AWS_REGION: "us-east-1",
        AWS_ENDPOINT_URL_KINESIS: stack.endpoints.kinesis,
        AWS_ENDPOINT_URL_DYNAMODB: stack.endpoints.dynamodb,
        AWS_ENDPOINT_URL_SQS: stack.endpoints.sqs,
        AWS_ENDPOINT_URL_S3: stack.endpoints.s3,
        AWS_ENDPOINT_URL_SESV2: stack.endpoints.sesv2,
        PROFILES_TABLE: "tailor-profiles",
        QUARANTINE_BUCKET: "tailor-quarantine",
      });
      expect(process.env.NODE_OPTIONS).not.toBe("--enable-source-maps");
      expect(readStackState(stack.dataDir)?.endpoints).toEqual(stack.endpoints);

      // Unchanged clients reach every emulator: DynamoDB, S3 (path-style by itself), SQS.
      const table = await new DynamoDBClient({}).send(
        new DescribeTableCommand({ TableName: "tailor-profiles" }),
      );
      expect(table.Table?.KeySchema).toEqual([{ AttributeName: "pk", KeyType: "HASH" }]);
      const s3 = new S3Client({});
      await s3.send(
        new PutObjectCommand({ Bucket: "tailor-quarantine", Key: "quarantine/x.json", Body: "{}" }),
      );
      const object = await s3.send(
        new GetObjectCommand({ Bucket: "tailor-quarantine", Key: "quarantine/x.json" }),
      );
      expect(await object.Body?.transformToString()).toBe("{}");
      const sqs = new SQSClient({});
      const queueUrl = process.env.DEAD_LETTER_QUEUE_URL ?? "";
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "ping" }));
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
      expect(received.Messages?.map((m) => m.Body)).toEqual(["ping"]);
      const web = await fetch(stack.endpoints.sesWebView);
      expect(web.status).toBe(200);

      // Records put with an unchanged Kinesis client (HTTP/2 by default) reach the handler.
      await put(["first", "second"]);
      await stack.waitUntilIdle();
      expect(ingest.bodies).toEqual(["first", "second"]);
      expect(ingest.tables).toContain("tailor-profiles");
      expect(stack.pollers[0]?.counters).toMatchObject({ records: 2, shards: 1 });
    } finally {
      await stack.stop();
    }
    expect(process.env.PROFILES_TABLE).toBe(before);
    expect(process.env.AWS_ENDPOINT_URL_KINESIS).toBeUndefined();
    expect(readStackState(data.dir)).toBeUndefined();
    expect(lines.join("\n")).toContain(
      "created tailor-events, tailor-profiles, tailor-quarantine, tailor-ingest-dlq",
    );
  });

  it("restarts on the same data dir: resources kept, processed records not redelivered", async () => {
    const lines: string[] = [];
    const ingest = fakeIngest();
    const stack = await startLocalStack({
      dataDir: data.dir,
      ports: anyPort,
      template,
      handlers: { "tailor-ingest": ingest.handler },
      log: (line) => lines.push(line),
      pollerTiming: { idlePollMaxMs: 50 },
    });
    try {
      await put(["third"]);
      await stack.waitUntilIdle();
      expect(ingest.bodies).toEqual(["third"]);
      const object = await new S3Client({}).send(
        new GetObjectCommand({ Bucket: "tailor-quarantine", Key: "quarantine/x.json" }),
      );
      expect(await object.Body?.transformToString()).toBe("{}");
    } finally {
      await stack.stop();
    }
    expect(lines.join("\n")).toContain("already there: tailor-events, tailor-profiles, tailor-quarantine");
    expect(lines.join("\n")).not.toMatch(/^created /m);
  });

  it("runs no handler with pollers: false, warns of clashing function variables, fails clearly on a broken template", async () => {
    const ingest = fakeIngest();
    const lines: string[] = [];
    const other = {
      Type: "AWS::Lambda::Function",
      Properties: {
        Tags: [{ Key: "tailor:local-name", Value: "tailor-other" }],
        Environment: { Variables: { PROFILES_TABLE: "another-table", OTHER_ONLY: "yes" } },
      },
    };
    const withOther =
      typeof template === "object" && template !== null && "Resources" in template
        ? { ...template, Resources: { ...Object(template.Resources), OtherFunction: other } }
        : template;
    const stack = await startLocalStack({
      dataDir: data.dir,
      ports: anyPort,
      template: withOther,
      pollers: false,
      handlers: { "tailor-ingest": ingest.handler },
      log: (line) => lines.push(line),
    });
    await put(["unseen"]);
    await stack.waitUntilIdle();
    expect(process.env.PROFILES_TABLE).toBe("tailor-profiles");
    expect(process.env.OTHER_ONLY).toBe("yes");
    expect(lines).toContain(
      'note: PROFILES_TABLE is "tailor-profiles" for tailor-ingest but "another-table" for tailor-other: ' +
        "each handler is loaded with its own; process.env keeps the first",
    );
    await stack.stop();
    expect(process.env.OTHER_ONLY).toBeUndefined();
    expect(stack.pollers).toEqual([]);
    expect(ingest.bodies).toEqual([]);

    await expect(
      startLocalStack({ dataDir: data.dir, ports: anyPort, template: { Resources: 1 }, log: () => {} }),
    ).rejects.toThrow(/the local stack did not start: not a CloudFormation template/);
    expect(process.env.AWS_ENDPOINT_URL_KINESIS).toBeUndefined();
  });
});
