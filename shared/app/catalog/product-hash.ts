import { createHash } from "node:crypto";
import type { CatalogProduct } from "../../ports.js";

/** Canonical JSON: keys sorted at every level, so equal products hash equally whatever order the feed gave. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The content hash of a product (SHA-256 of its canonical JSON, base64url, first 22 characters: 132 bits), without
 * `updatedAt`: an import that finds the stored hash equal skips the write.
 */
export function productHash(product: CatalogProduct): string {
  const { updatedAt: _ignored, ...content } = product;
  return createHash("sha256").update(canonical(content)).digest("base64url").slice(0, 22);
}

/** A product's prices by currency: `prices` when given, with the default market's `price` in `currency`. */
export function pricesOf(product: CatalogProduct): Record<string, number> {
  return { ...(product.prices ?? {}), [product.currency]: product.price };
}
