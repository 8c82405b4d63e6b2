import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";
import { KinesisClient, ListStreamsCommand } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, describe, expect, it } from "vitest";
import { startEmulators } from "#infra/local/emulators.js";
import { LocalStackError } from "#infra/local/local-errors.js";
import { defaultPorts, portEnvName, resolvePorts } from "#infra/local/service-ports.js";
import { tempDir } from "./helpers.js";

const anyPort = { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0 };
const data = tempDir("tailor-emu-");
afterAll(() => data.remove());

describe("resolvePorts", () => {
  it("takes an option over TAILOR_PORT_<SERVICE> over the default", () => {
    const env = { TAILOR_PORT_KINESIS: "14567", TAILOR_PORT_SQS_S3: "0", TAILOR_PORT_SES: "" };
    expect(resolvePorts({ kinesis: 24567 }, env)).toEqual({ ...defaultPorts, kinesis: 24567, sqsS3: 0 });
    expect(resolvePorts({}, env)).toEqual({ ...defaultPorts, kinesis: 14567, sqsS3: 0 });
    expect(portEnvName("sqsS3")).toBe("TAILOR_PORT_SQS_S3");
  });

  it("names the variable holding a bad port", () => {
    expect(() => resolvePorts({}, { TAILOR_PORT_DYNAMODB: "80a" })).toThrow(/TAILOR_PORT_DYNAMODB/);
    expect(() => resolvePorts({ ses: 70_000 })).toThrow(LocalStackError);
  });
});

describe("startEmulators", () => {
  it("serves Kinesis to HTTP/2 and HTTP/1.1 clients alike, and stops cleanly more than once", async () => {
    for (let run = 0; run < 2; run++) {
      const emulators = await startEmulators({ dataDir: data.dir, ports: anyPort, setEnv: false });
      const credentials = { accessKeyId: "x", secretAccessKey: "x" };
      const h2 = new KinesisClient({
        region: "us-east-1",
        credentials,
        endpoint: emulators.endpoints.kinesis,
      });
      const h1 = new KinesisClient({
        region: "us-east-1",
        credentials,
        endpoint: emulators.endpoints.kinesis,
        requestHandler: new NodeHttpHandler(),
      });
      expect((await h2.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
      expect((await h1.send(new ListStreamsCommand({}))).StreamNames).toEqual([]);
      const ses = await fetch(`${emulators.endpoints.sesv2}/health-check`);
      expect(ses.status).toBe(200);
      h1.destroy();
      // The HTTP/2 session stays open: stop() must close it, or the next run could not start.
      await emulators.stop();
      h2.destroy();
    }
    expect(existsSync(path.join(data.dir, "dynamodb"))).toBe(true);
    expect(existsSync(path.join(data.dir, "sqs-s3"))).toBe(true);
  });

  it("says which flag or variable to use when a port is taken", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const address = blocker.address();
    const taken = typeof address === "object" && address !== null ? address.port : 0;
    try {
      await expect(
        startEmulators({ dataDir: data.dir, ports: { ...anyPort, kinesis: taken } }),
      ).rejects.toThrow(/--port-kinesis or TAILOR_PORT_KINESIS/);
      // Nothing leaks from the failed start: the environment is untouched and the next start works.
      expect(process.env.AWS_ENDPOINT_URL_DYNAMODB).toBeUndefined();
      const emulators = await startEmulators({ dataDir: data.dir, ports: anyPort });
      await emulators.stop();
    } finally {
      blocker.close();
    }
  });

  it("keeps DynamoDB in memory with dynamodbInMemory: served alike, nothing under the data dir, gone when stopped", async () => {
    const dir = path.join(data.dir, "in-memory");
    const dynamo = (endpoint: string) =>
      new DynamoDBClient({
        region: "us-east-1",
        credentials: { accessKeyId: "x", secretAccessKey: "x" },
        endpoint,
      });
    const memory = await startEmulators({
      dataDir: dir,
      dynamodbInMemory: true,
      ports: anyPort,
      setEnv: false,
    });
    const client = dynamo(memory.endpoints.dynamodb);
    try {
      await client.send(
        new CreateTableCommand({
          TableName: "memory",
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      await client.send(new PutItemCommand({ TableName: "memory", Item: { pk: { S: "a" }, n: { N: "1" } } }));
      const got = await client.send(new GetItemCommand({ TableName: "memory", Key: { pk: { S: "a" } } }));
      expect(got.Item?.n).toEqual({ N: "1" });
      expect(existsSync(path.join(dir, "dynamodb"))).toBe(false);
      // The other emulators keep their state on disk as before.
      expect(existsSync(path.join(dir, "sqs-s3"))).toBe(true);
    } finally {
      client.destroy();
      await memory.stop();
    }
    const disk = await startEmulators({ dataDir: dir, ports: anyPort, setEnv: false });
    const again = dynamo(disk.endpoints.dynamodb);
    try {
      expect((await again.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    } finally {
      again.destroy();
      await disk.stop();
    }
  });

  it("wipes its own data dir with fresh, and refuses to wipe a folder that is not one", async () => {
    const own = path.join(data.dir, "own");
    const first = await startEmulators({ dataDir: own, ports: anyPort });
    await first.stop();
    writeFileSync(path.join(own, "leftover.txt"), "x");
    const second = await startEmulators({ dataDir: own, fresh: true, ports: anyPort });
    await second.stop();
    expect(existsSync(path.join(own, "leftover.txt"))).toBe(false);

    const foreign = path.join(data.dir, "foreign");
    mkdirSync(foreign);
    writeFileSync(path.join(foreign, "thesis.tex"), "precious");
    await expect(startEmulators({ dataDir: foreign, fresh: true, ports: anyPort })).rejects.toThrow(
      /refusing to wipe/,
    );
    expect(existsSync(path.join(foreign, "thesis.tex"))).toBe(true);
  });
});
