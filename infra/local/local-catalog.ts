import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { importCatalog } from "#shared/app/catalog/import-catalog.js";
import type { RowOutcome } from "#shared/app/catalog-feed/product-from-fields.js";
import { DynamoCatalog } from "#shared/aws/dynamo-catalog.js";
import { type CatalogProduct, systemClock } from "#shared/ports.js";
import { simulatorCatalogProducts } from "#shared/sim/index.js";

async function* rowsOf(products: readonly CatalogProduct[]): AsyncGenerator<RowOutcome> {
  for (const product of products) yield { ok: true, product };
}

/**
 * Seeds the local stack's catalog table with the simulator's demo shop (seed 42, the `tailor simulate` default)
 * when the table holds no product yet (a fresh data dir): the import a shop would run with its feed. A catalog
 * already there (the seed of an earlier start, or the user's `tailor catalog import`) is left as it is. Only the
 * local stack does this: a deployed stack's catalog comes from the shop's feeds. Resolves the products written.
 * `products` replaces the simulator's own (the local stack passes them with their pictures served locally, see
 * `demo-images.ts`).
 */
export async function seedLocalCatalog(
  client: DynamoDBClient,
  tableName: string,
  products: readonly CatalogProduct[] = simulatorCatalogProducts(),
): Promise<number> {
  const store = new DynamoCatalog({ client, tableName });
  for await (const page of store.index()) if (page.length > 0) return 0;
  const report = await importCatalog({ store, clock: systemClock }, rowsOf(products));
  return report.new;
}
