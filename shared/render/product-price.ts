import type { CatalogProduct } from "../ports.js";

/** A price in one currency, major units. */
export interface ShownPrice {
  readonly price: number;
  readonly currency: string;
}

/**
 * Whether the product is sold in several markets: its `prices` name a currency other than its default one.
 * A product with one currency only is sold at that price to everyone.
 */
export function isMultiCurrency(product: CatalogProduct): boolean {
  return Object.keys(product.prices ?? {}).some((currency) => currency !== product.currency);
}

/**
 * The price to show a customer paying in `currency`: `prices[currency]` when the catalog has it, the default
 * price when it is in that currency or when the product has one currency only (the shop sells it at that price
 * to everyone), and undefined when the product is sold in other markets but not in this one (it is not offered
 * in the customer's currency). Without a `currency` (a customer who never ordered nor carted), the default price.
 */
export function priceIn(product: CatalogProduct, currency: string | undefined): ShownPrice | undefined {
  if (currency === undefined || currency === product.currency)
    return { price: product.price, currency: product.currency };
  const price = product.prices?.[currency];
  if (price !== undefined) return { price, currency };
  return isMultiCurrency(product) ? undefined : { price: product.price, currency: product.currency };
}
