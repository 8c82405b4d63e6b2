import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import dynalite from "dynalite";
import { startFauxqs } from "fauxqs";

/**
 * Creates an on-demand table with string keys (`hash`, and `range` when given) on the emulator, and waits until
 * it is ACTIVE. Resolves the table name.
 */
export async function createTable(
  client: DynamoDBClient,
  name: string,
  hash: string,
  range?: string,
): Promise<string> {
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [
        { AttributeName: hash, KeyType: "HASH" },
        ...(range === undefined ? [] : [{ AttributeName: range, KeyType: "RANGE" as const }]),
      ],
      AttributeDefinitions: [
        { AttributeName: hash, AttributeType: "S" },
        ...(range === undefined ? [] : [{ AttributeName: range, AttributeType: "S" as const }]),
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  for (;;) {
    const out = await client.send(new DescribeTableCommand({ TableName: name }));
    if (out.Table?.TableStatus === "ACTIVE") return name;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * dynalite on a free loopback port, in memory (or persisted in the folder `path`, as the local stack keeps its
 * tables), and a client for it; `stop` closes both.
 */
export async function startDynalite(
  path?: string,
): Promise<{ client: DynamoDBClient; stop: () => Promise<void> }> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(path === undefined ? {} : { path }),
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  const client = new DynamoDBClient({
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    endpoint: `http://127.0.0.1:${port}`,
  });
  return {
    client,
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * dynalite and fauxqs (SQS) on free loopback ports, in memory, with a client for each; `stop` closes all four.
 */
export async function startDynaliteAndSqs(): Promise<{
  dynamodb: DynamoDBClient;
  sqs: SQSClient;
  /** The SQS emulator's endpoint, for queue URLs. */
  sqsEndpoint: string;
  stop: () => Promise<void>;
}> {
  const dynalite = await startDynalite();
  const fauxqs = await startFauxqs({ port: 0, logger: false });
  const sqsEndpoint = `http://127.0.0.1:${fauxqs.port}`;
  const sqs = new SQSClient({
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    endpoint: sqsEndpoint,
  });
  return {
    dynamodb: dynalite.client,
    sqs,
    sqsEndpoint,
    stop: async () => {
      sqs.destroy();
      await fauxqs.stop();
      await dynalite.stop();
    },
  };
}
