import type { CatalogProduct } from "../ports.js";
import { buildCatalog } from "./catalog.js";

/** The simulator's default seed (`tailor simulate --seed`): its demo shop is the catalog of the local stack. */
export const SIMULATOR_CATALOG_SEED = 42;

/**
 * The simulator's shop for `seed` as catalog products (the products the simulated customers view, add and buy):
 * `new InMemoryCatalog(simulatorCatalogProducts(seed))`, or the local stack's `CATALOG_FILE`.
 */
export function simulatorCatalogProducts(seed: number = SIMULATOR_CATALOG_SEED): CatalogProduct[] {
  return buildCatalog(seed).map((product) => ({
    productId: product.productId,
    name: product.name,
    brand: product.brand,
    category: product.category,
    price: product.price,
    currency: product.currency,
    inStock: product.inStock,
    popularity: product.popularity,
    url: product.url,
    imageUrl: product.imageUrl,
  }));
}
