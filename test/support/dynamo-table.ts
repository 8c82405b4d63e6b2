import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";

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
