import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { productHash } from "#shared/app/catalog/product-hash.js";
import { CATALOG_INDEXES, DynamoCatalog } from "#shared/aws/dynamo-catalog.js";
import type { CatalogProduct } from "#shared/ports.js";

/**
 * Creates the catalog table as the stack declares it (keys `pk`/`sk`, the two sparse best-seller indexes) on the
 * emulator, waits until it is ACTIVE, and puts `products` in it. Resolves the table name.
 */
export async function createCatalogTable(
  client: DynamoDBClient,
  name: string,
  products: readonly CatalogProduct[] = [],
): Promise<string> {
  const indexes = [CATALOG_INDEXES.all, CATALOG_INDEXES.category];
  await client.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        ...[
          "pk",
          "sk",
          CATALOG_INDEXES.all.partition,
          CATALOG_INDEXES.category.partition,
          CATALOG_INDEXES.all.sort,
        ].map((AttributeName) => ({ AttributeName, AttributeType: "S" as const })),
      ],
      GlobalSecondaryIndexes: indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partition, KeyType: "HASH" as const },
          { AttributeName: index.sort, KeyType: "RANGE" as const },
        ],
        Projection: { ProjectionType: "ALL" as const },
      })),
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  for (;;) {
    const out = await client.send(new DescribeTableCommand({ TableName: name }));
    if (out.Table?.TableStatus === "ACTIVE") break;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const store = new DynamoCatalog({ client, tableName: name });
  await store.putMany(products.map((product) => ({ product, hash: productHash(product), retired: false })));
  return name;
}
