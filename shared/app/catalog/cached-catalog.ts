import type { BestSellerQuery, Catalog, CatalogProduct, Clock } from "../../ports.js";
import { BoundedAgeCache } from "../bounded-age-cache.js";

/** Products kept by id (the least recently fetched go first beyond it). */
const MAX_PRODUCTS = 20_000;
/** Best sellers fetched per list: requests within it (limit + excluded) are served from the cache. */
const BEST_SELLER_POOL = 100;

interface Timed<T> {
  readonly at: number;
  readonly value: T;
}

/**
 * A catalog read through a cache of bounded age: a product, or a best-seller list (overall or of a category),
 * is fetched again once it is older than `maxAgeMs` (a best-seller list once it is that old: {@link BoundedAgeCache}), so a price or stock change reaches emails within that age.
 * Unknown ids are cached as absent too. Best sellers are fetched as a pool of {@link BEST_SELLER_POOL} and
 * filtered per request; a request needing more goes to the catalog.
 */
export class CachedCatalog implements Catalog {
  readonly #catalog: Catalog;
  readonly #clock: Clock;
  readonly #maxAgeMs: number;
  readonly #products = new Map<string, Timed<CatalogProduct | undefined>>();
  readonly #bestSellers = new Map<string, BoundedAgeCache<readonly CatalogProduct[]>>();

  constructor(options: { readonly catalog: Catalog; readonly clock: Clock; readonly maxAgeMs: number }) {
    this.#catalog = options.catalog;
    this.#clock = options.clock;
    this.#maxAgeMs = options.maxAgeMs;
  }

  async getMany(productIds: readonly string[]): Promise<ReadonlyMap<string, CatalogProduct>> {
    const now = this.#clock.now();
    const found = new Map<string, CatalogProduct>();
    const missing: string[] = [];
    for (const id of new Set(productIds)) {
      const cached = this.#products.get(id);
      if (cached === undefined || now - cached.at > this.#maxAgeMs) missing.push(id);
      else if (cached.value !== undefined) found.set(id, cached.value);
    }
    if (missing.length > 0) {
      const fetched = await this.#catalog.getMany(missing);
      for (const id of missing) {
        const product = fetched.get(id);
        this.#products.delete(id);
        this.#products.set(id, { at: now, value: product });
        if (product !== undefined) found.set(id, product);
      }
      for (const id of this.#products.keys()) {
        if (this.#products.size <= MAX_PRODUCTS) break;
        this.#products.delete(id);
      }
    }
    return found;
  }

  async bestSellers(options: BestSellerQuery): Promise<readonly CatalogProduct[]> {
    const excluded = options.exclude?.size ?? 0;
    if (options.limit + excluded > BEST_SELLER_POOL) return this.#catalog.bestSellers(options);
    const key = options.category === undefined ? "" : `c:${options.category}`;
    let cached = this.#bestSellers.get(key);
    if (cached === undefined) {
      const category = options.category === undefined ? {} : { category: options.category };
      // A failed fetch is not kept (BoundedAgeCache): the next request tries again.
      cached = new BoundedAgeCache({
        load: () => this.#catalog.bestSellers({ limit: BEST_SELLER_POOL, ...category }),
        maxAgeMs: this.#maxAgeMs,
        clock: this.#clock,
      });
      this.#bestSellers.set(key, cached);
    }
    const pool = await cached.get();
    const picked: CatalogProduct[] = [];
    for (const product of pool) {
      if (picked.length >= options.limit) break;
      if (options.exclude?.has(product.productId) !== true) picked.push(product);
    }
    return picked;
  }
}
