import type { CatalogChange } from "../../domain/catalog/index.js";

/** What change detection needs of a product, before or after: whether it sells, and its prices. */
export interface ChangeSignal {
  /** In stock and not retired. */
  readonly available: boolean;
  /** Prices by currency, major units. */
  readonly prices: Readonly<Record<string, number>>;
}

/**
 * The changes customers may want to hear about between two states of a product: `back-in-stock` when it was
 * unavailable (out of stock or retired) and is available now; `price-drop` per currency whose price went down
 * while it is available. A new product (no `before`) is no change: nobody can have viewed it.
 */
export function catalogChanges(
  productId: string,
  before: ChangeSignal | undefined,
  after: ChangeSignal,
  at: number,
): CatalogChange[] {
  if (before === undefined || !after.available) return [];
  const changes: CatalogChange[] = [];
  if (!before.available) changes.push({ kind: "back-in-stock", productId, at });
  for (const [currency, price] of Object.entries(after.prices).sort(([a], [b]) => (a < b ? -1 : 1))) {
    const previous = before.prices[currency];
    if (previous !== undefined && price < previous) {
      changes.push({ kind: "price-drop", productId, at, currency, before: previous, after: price });
    }
  }
  return changes;
}
