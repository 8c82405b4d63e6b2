import type { CatalogProduct } from "../../ports.js";

/** How large a stored product may grow: a DynamoDB item stays far below 400 KB (about 40 KB at most). */
export const CATALOG_LIMITS = {
  /** Product id (DynamoDB keys and the changes queue accept 256). */
  idLength: 256,
  /** Name, brand, category. */
  textLength: 300,
  /** URLs. */
  urlLength: 2048,
  /** Extra images after `imageUrl`. */
  images: 10,
  /** Categories (the path's levels). */
  categories: 10,
  /** Tags. */
  tags: 30,
  /** One tag. */
  tagLength: 64,
  /** Currencies in `prices` and `compareAtPrices`; markets in `urls`. */
  markets: 30,
} as const;

/** A product within {@link CATALOG_LIMITS}, and what was cut to get there (one reason per field, for the report). */
export interface BoundedProduct {
  readonly product: CatalogProduct;
  /** `field: rule` for each field trimmed, e.g. `tags: at most 30`. */
  readonly trimmed: readonly string[];
}

/**
 * Cuts a product to {@link CATALOG_LIMITS}: long strings are shortened, long lists keep their first entries,
 * popularity is clamped to [0, 1]. A product id over the limit cannot be cut (it is the key): the caller refuses
 * the row before this (see `productFromFields`).
 */
export function boundProduct(product: CatalogProduct): BoundedProduct {
  const trimmed: string[] = [];
  const text = (field: string, value: string, max: number): string => {
    if (value.length <= max) return value;
    trimmed.push(`${field}: at most ${max} characters`);
    return value.slice(0, max);
  };
  const list = <T>(field: string, value: readonly T[] | undefined, max: number): T[] | undefined => {
    if (value === undefined) return undefined;
    if (value.length <= max) return [...value];
    trimmed.push(`${field}: at most ${max} entries`);
    return value.slice(0, max);
  };
  const record = <T>(field: string, value: Readonly<Record<string, T>> | undefined) => {
    if (value === undefined) return undefined;
    const entries = Object.entries(value);
    if (entries.length <= CATALOG_LIMITS.markets) return { ...value };
    trimmed.push(`${field}: at most ${CATALOG_LIMITS.markets} entries`);
    return Object.fromEntries(entries.slice(0, CATALOG_LIMITS.markets));
  };
  const urls = record("urls", product.urls);
  const images = list("images", product.images, CATALOG_LIMITS.images);
  const categories = list("categories", product.categories, CATALOG_LIMITS.categories);
  const tags = list("tags", product.tags, CATALOG_LIMITS.tags);
  const prices = record("prices", product.prices);
  const compareAtPrices = record("compareAtPrices", product.compareAtPrices);
  const bounded: CatalogProduct = {
    ...product,
    name: text("name", product.name, CATALOG_LIMITS.textLength),
    brand: text("brand", product.brand, CATALOG_LIMITS.textLength),
    category: text("category", product.category, CATALOG_LIMITS.textLength),
    url: text("url", product.url, CATALOG_LIMITS.urlLength),
    imageUrl: text("imageUrl", product.imageUrl, CATALOG_LIMITS.urlLength),
    popularity: Math.min(1, Math.max(0, product.popularity)),
    ...(prices === undefined ? {} : { prices }),
    ...(compareAtPrices === undefined ? {} : { compareAtPrices }),
    ...(urls === undefined
      ? {}
      : {
          urls: Object.fromEntries(
            Object.entries(urls).map(([market, url]) => [
              market,
              text(`urls.${market}`, url, CATALOG_LIMITS.urlLength),
            ]),
          ),
        }),
    ...(images === undefined
      ? {}
      : { images: images.map((url, i) => text(`images[${i}]`, url, CATALOG_LIMITS.urlLength)) }),
    ...(categories === undefined
      ? {}
      : { categories: categories.map((c, i) => text(`categories[${i}]`, c, CATALOG_LIMITS.textLength)) }),
    ...(tags === undefined
      ? {}
      : { tags: tags.map((tag, i) => text(`tags[${i}]`, tag, CATALOG_LIMITS.tagLength)) }),
  };
  return { product: bounded, trimmed };
}
