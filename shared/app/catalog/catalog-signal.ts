import type { CatalogIndexEntry, CatalogProduct } from "../../ports.js";
import type { ChangeSignal } from "./catalog-changes.js";
import { pricesOf } from "./product-hash.js";

/** The change signal of a product as it is (retired products are unavailable). */
export function productSignal(product: CatalogProduct, retired: boolean): ChangeSignal {
  return { available: product.inStock && !retired, prices: pricesOf(product) };
}

/** The change signal of an index entry. */
export function indexSignal(entry: CatalogIndexEntry): ChangeSignal {
  return { available: entry.inStock && !entry.retired, prices: entry.prices };
}

/**
 * An index entry packed into one string (hash, retired, in stock, prices): what an import keeps per stored
 * product, about 60 bytes, so that a million products fit in a Lambda's memory.
 */
export function packIndexEntry(entry: CatalogIndexEntry): string {
  return `${entry.hash}${entry.retired ? "R" : "-"}${entry.inStock ? "1" : "0"}${JSON.stringify(entry.prices)}`;
}

/** The hash, retired flag and signal of a packed entry. */
export function unpackIndexEntry(packed: string): { hash: string; retired: boolean; signal: ChangeSignal } {
  const at = packed.indexOf("{");
  const retired = packed[at - 2] === "R";
  const inStock = packed[at - 1] === "1";
  const parsed: unknown = JSON.parse(packed.slice(at));
  const prices: Record<string, number> = {};
  if (typeof parsed === "object" && parsed !== null) {
    for (const [currency, value] of Object.entries(parsed))
      if (typeof value === "number") prices[currency] = value;
  }
  return { hash: packed.slice(0, at - 2), retired, signal: { available: inStock && !retired, prices } };
}
