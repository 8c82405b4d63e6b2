import { writeFileSync } from "node:fs";
import path from "node:path";
import type { CatalogProduct } from "#shared/ports.js";
import { simulatorCatalogProducts } from "#shared/sim/index.js";

/**
 * Writes the simulator's demo shop (seed 42, the `tailor simulate` default) to `<dataDir>/catalog.json`, the
 * JSON array of products the dispatch function loads from `CATALOG_FILE`; resolves the file. Rewritten on each
 * start (it is derived from the seed, so it never differs). `products` replaces the simulator's own (the local
 * stack passes them with their pictures served locally, see `demo-images.ts`).
 */
export function writeLocalCatalog(
  dataDir: string,
  products: readonly CatalogProduct[] = simulatorCatalogProducts(),
): string {
  const file = path.join(dataDir, "catalog.json");
  writeFileSync(file, `${JSON.stringify(products)}\n`);
  return file;
}
