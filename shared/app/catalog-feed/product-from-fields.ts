import type { CatalogProduct } from "../../ports.js";
import { CATALOG_LIMITS } from "../catalog/bound-product.js";
import type { FeedRowError } from "./feed-record.js";

/** What a feed does not say itself: the market it is for. */
export interface FeedMarket {
  /** ISO 4217 currency of prices given without one (`15.00`), e.g. `EUR`. */
  readonly currency?: string;
  /** The market (`de-DE`, or a language `de`) whose product page `link` is: it goes into `urls`. */
  readonly market?: string;
}

/** A row read into a product, or the first rule it broke. */
export type RowOutcome =
  | { readonly ok: true; readonly product: CatalogProduct }
  | { readonly ok: false; readonly error: FeedRowError };

const AVAILABILITY: Readonly<Record<string, boolean>> = {
  in_stock: true,
  out_of_stock: false,
  // Accepting orders, not shipping yet: nothing to recommend in an email today.
  preorder: false,
  backorder: false,
};

class RowError extends Error {
  constructor(
    readonly field: string,
    readonly rule: string,
  ) {
    super(`${field}: ${rule}`);
    this.name = "RowError";
  }
}

/**
 * One feed row (CSV, JSON, Merchant Center XML or TSV attributes) as a {@link CatalogProduct}. The Merchant Center
 * attribute names are read, with the CSV/JSON synonyms in brackets: `id` (`product_id`), `title` (`name`), `link`
 * (`url`), `image_link` (`image_url`), `additional_image_link` (`images`), `availability` (`in stock`,
 * `out of stock`, `preorder`, `backorder`; or `in_stock` true/false), `price` (`15.00 USD`, or `15.00` with a
 * `currency` column or the feed's market currency), `sale_price` (then `price` becomes the compare-at price),
 * `brand`, `product_type` (`A > B > C`) or `google_product_category` (`category`), `custom_label_0..4` and `tags`
 * (tags), and Tailor's own `popularity` (0 to 1), `stock` (units), `replenish_days`, `prices`/`compare_at_prices`
 * (`{"EUR":12}` or `EUR:12|GBP:10`) and `urls` (`{"de-DE":"https://…"}`).
 */
export function productFromFields(
  fields: ReadonlyMap<string, readonly string[]>,
  line: number,
  market: FeedMarket = {},
): RowOutcome {
  try {
    return { ok: true, product: readProduct(fields, market) };
  } catch (error) {
    if (error instanceof RowError) {
      const productId = (fields.get("id") ?? fields.get("product_id"))?.[0]?.trim();
      const known = productId === undefined || productId === "" ? {} : { productId };
      return { ok: false, error: { line, field: error.field, rule: error.rule, ...known } };
    }
    throw error;
  }
}

function readProduct(fields: ReadonlyMap<string, readonly string[]>, market: FeedMarket): CatalogProduct {
  const all = (...names: string[]): string[] => names.flatMap((name) => fields.get(name) ?? []);
  const first = (...names: string[]): { name: string; value: string } | undefined => {
    for (const name of names) {
      const value = fields.get(name)?.[0];
      if (value !== undefined && value.trim() !== "") return { name, value: value.trim() };
    }
    return undefined;
  };
  const required = (...names: string[]) => {
    const found = first(...names);
    if (found === undefined) throw new RowError(names[0] ?? "?", "required");
    return found;
  };
  const id = required("id", "product_id");
  if (id.value.length > CATALOG_LIMITS.idLength) {
    throw new RowError(id.name, `at most ${CATALOG_LIMITS.idLength} characters`);
  }
  const name = required("title", "name").value;
  const link = required("link", "url");
  checkUrl(link.name, link.value);
  const image = first("image_link", "image_url");
  if (image !== undefined) checkUrl(image.name, image.value);
  const defaultCurrency = first("currency")?.value.toUpperCase() ?? market.currency;
  const listed = money(required("price"), defaultCurrency);
  const sale = first("sale_price");
  const saleMoney = sale === undefined ? undefined : money(sale, listed.currency);
  if (saleMoney !== undefined && saleMoney.currency !== listed.currency) {
    throw new RowError("sale_price", `must be in the currency of price (${listed.currency})`);
  }
  const current = saleMoney ?? listed;
  const extraPrices = priceMap("prices", first("prices"));
  const compareAt = priceMap("compare_at_prices", first("compare_at_prices"));
  const compareAtPrice = first("compare_at_price");
  const compareAtPrices = {
    ...compareAt,
    ...(saleMoney !== undefined && listed.amount > saleMoney.amount
      ? { [listed.currency]: listed.amount }
      : {}),
    ...(compareAtPrice === undefined
      ? {}
      : { [current.currency]: money(compareAtPrice, current.currency).amount }),
  };
  const stock = integer(first("stock", "quantity"));
  const inStock = availability(first("availability", "in_stock"), stock);
  const path = categoryPath(first("product_type", "category", "google_product_category")?.value ?? "");
  const [category = ""] = path;
  const tags = [
    ...all("custom_label_0", "custom_label_1", "custom_label_2", "custom_label_3", "custom_label_4"),
    ...all("tags").flatMap((value) => value.split(/[,|]/)),
  ]
    .map((tag) => tag.trim().toLowerCase())
    .filter((tag, index, list) => tag !== "" && list.indexOf(tag) === index);
  const images = all("additional_image_link", "images")
    .flatMap((value) => value.split(/[,\s]+/))
    .filter(Boolean);
  for (const [index, url] of images.entries()) checkUrl(`additional_image_link[${index}]`, url);
  const urls = {
    ...urlMap(first("urls")),
    ...(market.market === undefined ? {} : { [market.market]: link.value }),
  };
  const popularity = fraction(first("popularity"));
  const replenish = integer(first("replenish_days"));
  const prices = { ...extraPrices, [current.currency]: current.amount };
  return {
    productId: id.value,
    name,
    brand: first("brand")?.value ?? "",
    category,
    price: current.amount,
    currency: current.currency,
    inStock,
    popularity,
    url: link.value,
    imageUrl: image?.value ?? "",
    ...(Object.keys(prices).length > 1 ? { prices } : {}),
    ...(Object.keys(compareAtPrices).length > 0 ? { compareAtPrices } : {}),
    ...(Object.keys(urls).length > 0 ? { urls } : {}),
    ...(images.length > 0 ? { images } : {}),
    ...(path.length > 1 ? { categories: path } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(stock === undefined ? {} : { stock }),
    ...(replenish === undefined || replenish === 0 ? {} : { replenishDays: replenish }),
  };
}

function checkUrl(field: string, value: string): void {
  if (!/^https?:\/\/[^\s]+$/i.test(value)) throw new RowError(field, "must be an http(s) URL");
}

/** `15.00 USD`, `USD 15.00`, or `15.00` in `fallbackCurrency`. */
function money(
  found: { name: string; value: string },
  fallbackCurrency: string | undefined,
): { amount: number; currency: string } {
  const match = /^(?:([A-Za-z]{3})\s+)?([0-9]+(?:\.[0-9]+)?)(?:\s+([A-Za-z]{3}))?$/.exec(
    found.value.replace(/,/g, ""),
  );
  if (match === null) throw new RowError(found.name, 'must be an amount with a currency, e.g. "15.00 USD"');
  const currency = (match[1] ?? match[3] ?? fallbackCurrency)?.toUpperCase();
  if (currency === undefined) {
    throw new RowError(found.name, 'needs a currency: "15.00 USD", a currency column, or --currency');
  }
  return { amount: Number(match[2]), currency };
}

function availability(
  found: { name: string; value: string } | undefined,
  stock: number | undefined,
): boolean {
  if (found === undefined) {
    if (stock === undefined) throw new RowError("availability", "required (or stock)");
    return stock > 0;
  }
  const key = found.value.toLowerCase().replace(/[\s-]+/g, "_");
  if (found.name === "in_stock" && (key === "true" || key === "false")) return key === "true";
  const known = AVAILABILITY[key];
  if (known === undefined) {
    throw new RowError(found.name, "must be one of in stock, out of stock, preorder, backorder");
  }
  // Units in stock override a stale availability of 0 units.
  return known && (stock === undefined || stock > 0);
}

function integer(found: { name: string; value: string } | undefined): number | undefined {
  if (found === undefined) return undefined;
  const value = Number(found.value);
  if (!Number.isInteger(value) || value < 0) throw new RowError(found.name, "must be a whole number ≥ 0");
  return value;
}

function fraction(found: { name: string; value: string } | undefined): number {
  if (found === undefined) return 0;
  const value = Number(found.value);
  if (!Number.isFinite(value) || value < 0 || value > 1)
    throw new RowError(found.name, "must be from 0 to 1");
  return value;
}

/** `A > B > C` → the most specific level first, then the path from its top: `[C, A, B]`. */
function categoryPath(value: string): string[] {
  const levels = value
    .split(">")
    .map((level) => level.trim())
    .filter(Boolean);
  const last = levels.at(-1);
  return last === undefined ? [] : [last, ...levels.slice(0, -1)];
}

function parseMap(field: string, found: { name: string; value: string } | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (found === undefined) return out;
  if (found.value.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(found.value);
    } catch {
      throw new RowError(field, "must be a JSON object or KEY:VALUE|KEY:VALUE");
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      throw new RowError(field, "must be a JSON object or KEY:VALUE|KEY:VALUE");
    }
    for (const [key, value] of Object.entries(parsed)) out.set(key, String(value));
    return out;
  }
  for (const pair of found.value.split("|")) {
    const at = pair.indexOf(":");
    if (at <= 0) throw new RowError(field, "must be a JSON object or KEY:VALUE|KEY:VALUE");
    out.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
  }
  return out;
}

function priceMap(field: string, found: { name: string; value: string } | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [currency, raw] of parseMap(field, found)) {
    const amount = Number(raw);
    if (!/^[A-Z]{3}$/.test(currency) || !Number.isFinite(amount) || amount < 0) {
      throw new RowError(`${field}.${currency}`, "must be a 3-letter currency and an amount ≥ 0");
    }
    out[currency] = amount;
  }
  return out;
}

function urlMap(found: { name: string; value: string } | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [market, url] of parseMap("urls", found)) {
    checkUrl(`urls.${market}`, url);
    out[market] = url;
  }
  return out;
}
