import { DAY_MS } from "../domain/profile/index.js";
import type { CatalogProduct } from "../ports.js";
import { priceIn } from "../render/product-price.js";

/** Where a recommended product came from. */
export type RecommendationSource = "model" | "category" | "overall";

/** The rules a recommendation list keeps (see docs/recommendations.md). */
export interface RecommendationRules {
  /** How many products are wanted. */
  readonly limit: number;
  readonly now: number;
  /** The customer's currency (ISO 4217); undefined when unknown (prices are shown in each product's default). */
  readonly currency?: string;
  /** Products the customer bought → when they last bought each (epoch ms). */
  readonly bought: ReadonlyMap<string, number>;
  /** Never these (e.g. what is in the cart). */
  readonly exclude?: Iterable<string>;
}

/** Most products of one category in a list of `limit`: ⌈limit / 2⌉. */
export function categoryCap(limit: number): number {
  return Math.ceil(limit / 2);
}

/**
 * Whether a product the customer bought at `lastBought` may be recommended again at `now`: only a replenishable
 * one (`replenishDays`), once that many days have passed since the last purchase.
 */
export function isDueAgain(product: CatalogProduct, lastBought: number, now: number): boolean {
  const days = product.replenishDays;
  return days !== undefined && days > 0 && now - lastBought >= days * DAY_MS;
}

/** Why a product may not be recommended, or undefined when it may. */
export function ruledOut(product: CatalogProduct, rules: RecommendationRules): string | undefined {
  if (!product.inStock || product.stock === 0) return "out of stock";
  const lastBought = rules.bought.get(product.productId);
  if (lastBought !== undefined && !isDueAgain(product, lastBought, rules.now)) return "bought";
  if (priceIn(product, rules.currency) === undefined) return "not sold in the customer's currency";
  return undefined;
}

/**
 * Builds one recommendation list under the rules, from candidates offered source by source, best first:
 * products ruled out ({@link ruledOut}) or excluded are skipped, none appears twice, and at most
 * {@link categoryCap} come from one category. A product held back by that cap waits: when every source has been
 * offered and the list is still short, the held-back products fill it in their order (a one-category catalog still
 * gets a full list).
 */
export class RecommendationPicker {
  readonly #rules: RecommendationRules;
  readonly #seen: Set<string>;
  readonly #chosen: { product: CatalogProduct; source: RecommendationSource }[] = [];
  readonly #held: { product: CatalogProduct; source: RecommendationSource }[] = [];
  readonly #perCategory = new Map<string, number>();

  constructor(rules: RecommendationRules) {
    this.#rules = rules;
    this.#seen = new Set(rules.exclude ?? []);
  }

  /** Whether the list is complete. */
  get full(): boolean {
    return this.#chosen.length >= this.#rules.limit;
  }

  /** How many more products the list takes. */
  get missing(): number {
    return Math.max(0, this.#rules.limit - this.#chosen.length);
  }

  /** Ids never to offer again: excluded, bought, and already chosen or held back. */
  get taken(): ReadonlySet<string> {
    return new Set([...this.#seen, ...this.#rules.bought.keys()]);
  }

  /** Offers candidates, best first; takes those the rules allow until the list is full. */
  offer(products: Iterable<CatalogProduct>, source: RecommendationSource): void {
    const cap = categoryCap(this.#rules.limit);
    for (const product of products) {
      if (this.full) return;
      if (this.#seen.has(product.productId) || ruledOut(product, this.#rules) !== undefined) continue;
      this.#seen.add(product.productId);
      const count = this.#perCategory.get(product.category) ?? 0;
      if (count >= cap) {
        this.#held.push({ product, source });
        continue;
      }
      this.#perCategory.set(product.category, count + 1);
      this.#chosen.push({ product, source });
    }
  }

  /** The list: the products chosen, then held-back ones while it is short. */
  finish(): readonly { readonly product: CatalogProduct; readonly source: RecommendationSource }[] {
    return [...this.#chosen, ...this.#held.slice(0, this.missing)];
  }
}
