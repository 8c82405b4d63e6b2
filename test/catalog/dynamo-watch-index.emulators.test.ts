import { CreateTableCommand, type DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoWatchIndex, WATCHES_BY_CUSTOMER_INDEX } from "#shared/aws/dynamo-watch-index.js";
import type { Watcher } from "#shared/domain/catalog/index.js";
import { startDynalite } from "../support/dynamo-table.js";

/** The watch index on dynalite, with the keys and the index by customer the stack declares. */

const T0 = Date.UTC(2026, 10, 20, 12);
const DAY = 86_400_000;
const TABLE = "watches";

let stop: () => Promise<void>;
let dynamodb: DynamoDBClient;
let index: DynamoWatchIndex;

beforeAll(async () => {
  ({ client: dynamodb, stop } = await startDynalite());
  await dynamodb.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [
        { AttributeName: "p", KeyType: "HASH" },
        { AttributeName: "c", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "p", AttributeType: "S" },
        { AttributeName: "c", AttributeType: "S" },
      ],
      BillingMode: "PAY_PER_REQUEST",
      GlobalSecondaryIndexes: [
        {
          IndexName: WATCHES_BY_CUSTOMER_INDEX,
          KeySchema: [
            { AttributeName: "c", KeyType: "HASH" },
            { AttributeName: "p", KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "KEYS_ONLY" },
        },
      ],
    }),
  );
  index = new DynamoWatchIndex({ client: dynamodb, tableName: TABLE });
}, 30_000);

afterAll(async () => {
  await stop();
});

async function allWatchers(productId: string, since: number, limit: number): Promise<Watcher[]> {
  const all: Watcher[] = [];
  let cursor: string | undefined;
  do {
    const page = await index.watchers(productId, {
      since,
      limit,
      ...(cursor === undefined ? {} : { cursor }),
    });
    all.push(...page.watchers);
    cursor = page.cursor;
  } while (cursor !== undefined);
  return all;
}

describe("DynamoWatchIndex", () => {
  it("keeps the newest view and cart add per product and customer, and a ttl 30 days after the newest", async () => {
    await index.record([
      { productId: "p-1", customerId: "ada", how: "viewed", at: T0 },
      { productId: "p-1", customerId: "ada", how: "carted", at: T0 + 2 * DAY },
    ]);
    // An older view arrives late: it changes neither the view nor the ttl.
    await index.record([{ productId: "p-1", customerId: "ada", how: "viewed", at: T0 - DAY }]);
    const item = await dynamodb.send(
      new GetItemCommand({ TableName: TABLE, Key: { p: { S: "p-1" }, c: { S: "ada" } } }),
    );
    expect(item.Item?.v?.N).toBe(String(T0));
    expect(item.Item?.k?.N).toBe(String(T0 + 2 * DAY));
    expect(item.Item?.ttl?.N).toBe(String(Math.floor((T0 + 32 * DAY) / 1000)));
    expect(await allWatchers("p-1", T0 - DAY, 10)).toEqual([
      { customerId: "ada", viewedAt: T0, cartedAt: T0 + 2 * DAY },
    ]);
  });

  it("reads a product's watchers page by page, leaving out interests older than since", async () => {
    const customers = Array.from({ length: 7 }, (_, i) => `c-${i}`);
    await index.record(
      customers.map((customerId, i) => ({ productId: "p-2", customerId, how: "viewed", at: T0 - i * DAY })),
    );
    const got = await allWatchers("p-2", T0 - 4 * DAY, 2);
    expect(got.map((w) => w.customerId)).toEqual(["c-0", "c-1", "c-2", "c-3", "c-4"]);
  });

  it("forgets bought products, and erases and lists a customer's watches through the index by customer", async () => {
    await index.record([
      { productId: "p-3", customerId: "bob", how: "carted", at: T0 },
      { productId: "p-4", customerId: "bob", how: "viewed", at: T0 },
      { productId: "p-5", customerId: "bob", how: "viewed", at: T0 },
      { productId: "p-3", customerId: "eve", how: "viewed", at: T0 },
    ]);
    await index.forget("bob", ["p-3"]);
    expect((await allWatchers("p-3", 0, 10)).map((w) => w.customerId)).toEqual(["eve"]);
    expect((await index.list("bob")).map((item) => item.productId).sort()).toEqual(["p-4", "p-5"]);
    expect(await index.erase("bob")).toBe(2);
    expect(await index.list("bob")).toEqual([]);
    expect(await allWatchers("p-4", 0, 10)).toEqual([]);
    expect((await allWatchers("p-3", 0, 10)).map((w) => w.customerId)).toEqual(["eve"]);
  });
});
