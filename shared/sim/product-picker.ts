import { CATEGORIES, type Category, type Product } from "./catalog.js";
import type { Persona } from "./personas.js";
import { type Rng, WeightedTable } from "./prng.js";

/** How a shopper weighs products within a category. */
export type Taste = "popular" | "cheap";

/** Bargain hunters look for cheap products; everyone else follows popularity. */
export function tasteOf(persona: Persona): Taste {
  return persona === "bargain_hunter" ? "cheap" : "popular";
}

/**
 * Draws products within a category by popularity; bargain hunters weigh popularity against price
 * (popularity / √price), so they drift towards cheaper items.
 */
export class ProductPicker {
  readonly #tables: ReadonlyMap<string, WeightedTable<Product>>;

  constructor(catalog: readonly Product[]) {
    const tables = new Map<string, WeightedTable<Product>>();
    for (const category of CATEGORIES) {
      const products = catalog.filter((p) => p.category === category);
      if (products.length === 0) continue;
      tables.set(
        `popular:${category}`,
        new WeightedTable(
          products,
          products.map((p) => p.popularity),
        ),
      );
      tables.set(
        `cheap:${category}`,
        new WeightedTable(
          products,
          products.map((p) => p.popularity / Math.sqrt(p.price)),
        ),
      );
    }
    this.#tables = tables;
  }

  /** One product of `category`. Throws if the catalog has none in it. */
  draw(rng: Rng, category: Category, taste: Taste): Product {
    const table = this.#tables.get(`${taste}:${category}`);
    if (table === undefined) throw new RangeError(`ProductPicker: no products in category ${category}`);
    return table.draw(rng);
  }
}
