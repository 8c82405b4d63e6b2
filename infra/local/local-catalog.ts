import { writeFileSync } from "node:fs";
import path from "node:path";
import { simulatorCatalogProducts } from "#shared/sim/index.js";

/**
 * Writes the simulator's demo shop (seed 42, the `tailor simulate` default) to `<dataDir>/catalog.json`, the
 * JSON array of products the dispatch function loads from `CATALOG_FILE`; resolves the file. Rewritten on each
 * start (it is derived from the seed, so it never differs).
 */
export function writeLocalCatalog(dataDir: string): string {
  const file = path.join(dataDir, "catalog.json");
  writeFileSync(file, `${JSON.stringify(simulatorCatalogProducts())}\n`);
  return file;
}
