import type {
  BestSellerQuery,
  CatalogIndexEntry,
  CatalogProduct,
  CatalogStore,
  StoredCatalogProduct,
} from "../../ports.js";
import { InMemoryCatalog } from "../in-memory-catalog.js";
import { pricesOf } from "./product-hash.js";

/** Bytes of an item beyond the product's JSON: keys, hash, flags, prices and index keys (about). */
const ITEM_OVERHEAD_BYTES = 160;

/**
 * A {@link CatalogStore} in memory, for tests, dry runs and the import benchmark. Write units are counted as the
 * DynamoDB adapter's items would be billed (one per started KB, times one plus the best-seller indexes an
 * available product is in), from the product's JSON size plus a fixed overhead.
 */
export class InMemoryCatalogStore implements CatalogStore {
  readonly #items = new Map<string, StoredCatalogProduct>();
  /** Writes made (products put), for tests and the benchmark. */
  writes = 0;

  constructor(initial: readonly StoredCatalogProduct[] = []) {
    for (const stored of initial) this.#items.set(stored.product.productId, stored);
  }

  /** Every stored product. */
  all(): StoredCatalogProduct[] {
    return [...this.#items.values()];
  }

  async getMany(productIds: readonly string[]): Promise<ReadonlyMap<string, CatalogProduct>> {
    const stored = await this.getStored(productIds);
    return new Map([...stored].map(([id, { product }]) => [id, product]));
  }

  async bestSellers(options: BestSellerQuery): Promise<readonly CatalogProduct[]> {
    const available = this.all().flatMap((stored) => (stored.retired ? [] : [stored.product]));
    return new InMemoryCatalog(available).bestSellers(options);
  }

  async *index(): AsyncIterable<readonly CatalogIndexEntry[]> {
    const page: CatalogIndexEntry[] = [];
    for (const stored of this.#items.values()) {
      page.push({
        productId: stored.product.productId,
        hash: stored.hash,
        retired: stored.retired,
        inStock: stored.product.inStock,
        prices: pricesOf(stored.product),
      });
      if (page.length === 1000) yield page.splice(0);
    }
    if (page.length > 0) yield page;
  }

  async getStored(productIds: readonly string[]): Promise<ReadonlyMap<string, StoredCatalogProduct>> {
    const found = new Map<string, StoredCatalogProduct>();
    for (const id of productIds) {
      const stored = this.#items.get(id);
      if (stored !== undefined) found.set(id, stored);
    }
    return found;
  }

  async putMany(products: readonly StoredCatalogProduct[]): Promise<{ readonly writeUnits: number }> {
    let writeUnits = 0;
    for (const stored of products) {
      this.#items.set(stored.product.productId, stored);
      this.writes++;
      writeUnits += estimatedWriteUnits(stored);
    }
    return { writeUnits };
  }

  async putIf(product: StoredCatalogProduct, previousHash: string | undefined): Promise<boolean> {
    if (this.#items.get(product.product.productId)?.hash !== previousHash) return false;
    await this.putMany([product]);
    return true;
  }
}

/** Write units of one product's item, as {@link InMemoryCatalogStore} estimates them. */
export function estimatedWriteUnits(stored: StoredCatalogProduct): number {
  const bytes = Buffer.byteLength(JSON.stringify(stored.product)) + ITEM_OVERHEAD_BYTES;
  const available = stored.product.inStock && !stored.retired;
  const indexes = available ? (stored.product.category === "" ? 1 : 2) : 0;
  return Math.ceil(bytes / 1024) * (1 + indexes);
}
