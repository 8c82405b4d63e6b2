import type { CatalogProduct } from "#shared/ports.js";

/** A catalog product for tests: in stock, USD 10, `extra` overriding any field. */
export function catalogProduct(
  id: string,
  category: string,
  popularity: number,
  extra: Partial<CatalogProduct> = {},
): CatalogProduct {
  return {
    productId: id,
    name: `Product ${id}`,
    brand: "Acme",
    category,
    price: 10,
    currency: "USD",
    inStock: true,
    popularity,
    url: `https://example.com/p/${id}`,
    imageUrl: `https://example.com/i/${id}.jpg`,
    ...extra,
  };
}
