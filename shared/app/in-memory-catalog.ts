import type { BestSellerQuery, Catalog, CatalogProduct } from "../ports.js";

function byPopularity(a: CatalogProduct, b: CatalogProduct): number {
  return b.popularity - a.popularity || (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0);
}

/**
 * A catalog held in memory: any product list loaded at cold start (the local stack's and the tests' come from
 * the simulator: `simulatorCatalogProducts` in shared/sim). Best sellers are ranked by popularity, then id.
 */
export class InMemoryCatalog implements Catalog {
  readonly #byId: ReadonlyMap<string, CatalogProduct>;
  readonly #ranked: readonly CatalogProduct[];
  readonly #rankedByCategory: ReadonlyMap<string, readonly CatalogProduct[]>;

  constructor(products: readonly CatalogProduct[]) {
    this.#byId = new Map(products.map((product) => [product.productId, product]));
    this.#ranked = products.filter((product) => product.inStock).sort(byPopularity);
    const byCategory = new Map<string, CatalogProduct[]>();
    for (const product of this.#ranked) {
      const list = byCategory.get(product.category) ?? [];
      list.push(product);
      byCategory.set(product.category, list);
    }
    this.#rankedByCategory = byCategory;
  }

  /** Every product, in the order given. */
  all(): CatalogProduct[] {
    return [...this.#byId.values()];
  }

  async getMany(productIds: readonly string[]): Promise<ReadonlyMap<string, CatalogProduct>> {
    const found = new Map<string, CatalogProduct>();
    for (const id of productIds) {
      const product = this.#byId.get(id);
      if (product !== undefined) found.set(id, product);
    }
    return found;
  }

  async bestSellers(options: BestSellerQuery): Promise<readonly CatalogProduct[]> {
    const pool =
      options.category === undefined ? this.#ranked : (this.#rankedByCategory.get(options.category) ?? []);
    const picked: CatalogProduct[] = [];
    for (const product of pool) {
      if (picked.length >= options.limit) break;
      if (options.exclude?.has(product.productId) !== true) picked.push(product);
    }
    return picked;
  }
}
