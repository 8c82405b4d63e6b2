import { z } from "zod";
import type { CatalogChange } from "../../domain/catalog/index.js";
import type { TailorEvent } from "../../domain/events/index.js";
import type { CatalogChangePublisher, CatalogProduct, CatalogStore } from "../../ports.js";
import { boundProduct, CATALOG_LIMITS } from "./bound-product.js";
import { catalogChanges } from "./catalog-changes.js";
import { productSignal } from "./catalog-signal.js";
import { productHash } from "./product-hash.js";

/** The track event that updates the catalog instead of a profile. */
export const PRODUCT_UPDATED = "Product Updated";

/** Whether an event is a `Product Updated` (any case and spacing, `product_updated` too). */
export function isProductUpdate(event: TailorEvent): boolean {
  return (
    event.kind === "custom" &&
    event.name
      .trim()
      .toLowerCase()
      .replace(/[\s_]+/g, " ") === "product updated"
  );
}

const url = z
  .string()
  .max(CATALOG_LIMITS.urlLength)
  .regex(/^https?:\/\/\S+$/, "must be an http(s) URL");
const amount = z.number().finite().nonnegative();
const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, "must be a 3-letter ISO 4217 code")
  .transform((c) => c.toUpperCase());

/** The properties of a `Product Updated` event (docs/events.md): every one but `product_id` optional. */
const propertiesSchema = z.object({
  product_id: z.union([z.string().min(1).max(CATALOG_LIMITS.idLength), z.number().transform(String)]),
  name: z.string().min(1).optional(),
  brand: z.string().optional(),
  category: z.string().optional(),
  price: amount.optional(),
  currency: currency.optional(),
  compare_at_price: amount.nullable().optional(),
  prices: z.record(z.string().regex(/^[A-Z]{3}$/), amount).optional(),
  stock: z.number().int().nonnegative().optional(),
  in_stock: z.boolean().optional(),
  url: url.optional(),
  image_url: url.optional(),
  images: z.array(url).optional(),
  tags: z.union([z.array(z.string()), z.string()]).optional(),
  popularity: z.number().min(0).max(1).optional(),
});

/** A product event read: the product it changes, the changes, and when (the event's time). */
export interface ProductPatch {
  readonly productId: string;
  readonly at: number;
  readonly properties: z.infer<typeof propertiesSchema>;
}

/** Reads a `Product Updated` event from its JSON: the patch, or the issues (field and rule) to quarantine it with. */
export function readProductUpdate(
  json: Uint8Array,
  at: number,
):
  | { ok: true; patch: ProductPatch }
  | { ok: false; reason: string; issues: { path: string; rule: string; message: string }[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(json).toString("utf8"));
  } catch {
    return { ok: false, reason: "Product Updated: not JSON", issues: [] };
  }
  const properties =
    typeof raw === "object" && raw !== null && "properties" in raw ? raw.properties : undefined;
  const parsed = propertiesSchema.safeParse(properties);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      path: ["properties", ...issue.path.map(String)].join("."),
      rule: issue.code,
      message: issue.message,
    }));
    const first = issues[0];
    return {
      ok: false,
      reason: `Product Updated: ${first === undefined ? "invalid properties" : `${first.path}: ${first.message}`}`,
      issues,
    };
  }
  return { ok: true, patch: { productId: parsed.data.product_id, at, properties: parsed.data } };
}

/** `patch` applied over `product` (undefined: a new product, which needs name, price, currency and url). */
export function mergeProductPatch(
  product: CatalogProduct | undefined,
  patch: ProductPatch,
): CatalogProduct | string {
  const p = patch.properties;
  const base = product ?? newProduct(patch);
  if (typeof base === "string") return base;
  const currencyOf = p.currency ?? base.currency;
  const price = p.price ?? (currencyOf === base.currency ? base.price : base.prices?.[currencyOf]);
  if (price === undefined) return `properties.price: required for a price in ${currencyOf}`;
  // A price in another currency than the default market's goes into `prices` only.
  const isDefault = currencyOf === base.currency;
  const prices = {
    ...(base.prices ?? {}),
    [base.currency]: isDefault ? price : base.price,
    [currencyOf]: price,
    ...(p.prices ?? {}),
  };
  const compareAt = { ...(base.compareAtPrices ?? {}) };
  if (p.compare_at_price === null) delete compareAt[currencyOf];
  else if (p.compare_at_price !== undefined) compareAt[currencyOf] = p.compare_at_price;
  const stock = p.stock ?? (p.in_stock === undefined ? base.stock : undefined);
  const inStock = p.in_stock ?? (p.stock === undefined ? base.inStock : p.stock > 0);
  const tags =
    p.tags === undefined
      ? base.tags
      : (typeof p.tags === "string" ? p.tags.split(/[,|]/) : p.tags)
          .map((t) => t.trim().toLowerCase())
          .filter(Boolean);
  const merged: CatalogProduct = {
    ...base,
    ...(p.name === undefined ? {} : { name: p.name }),
    ...(p.brand === undefined ? {} : { brand: p.brand }),
    ...(p.category === undefined ? {} : { category: p.category }),
    ...(p.url === undefined ? {} : { url: p.url }),
    ...(p.image_url === undefined ? {} : { imageUrl: p.image_url }),
    ...(p.images === undefined ? {} : { images: p.images }),
    ...(p.popularity === undefined ? {} : { popularity: p.popularity }),
    price: isDefault ? price : base.price,
    inStock,
    updatedAt: patch.at,
  };
  const { stock: _stock, tags: _tags, prices: _prices, compareAtPrices: _compare, ...rest } = merged;
  return boundProduct({
    ...rest,
    ...(Object.keys(prices).length > 1 ? { prices } : {}),
    ...(Object.keys(compareAt).length > 0 ? { compareAtPrices: compareAt } : {}),
    ...(stock === undefined ? {} : { stock }),
    ...(tags === undefined || tags.length === 0 ? {} : { tags }),
  }).product;
}

function newProduct(patch: ProductPatch): CatalogProduct | string {
  const p = patch.properties;
  if (p.name === undefined || p.price === undefined || p.currency === undefined || p.url === undefined) {
    return "properties: a product not in the catalog yet needs name, price, currency and url";
  }
  return {
    productId: patch.productId,
    name: p.name,
    brand: p.brand ?? "",
    category: p.category ?? "",
    price: p.price,
    currency: p.currency,
    inStock: p.in_stock ?? (p.stock === undefined ? true : p.stock > 0),
    popularity: p.popularity ?? 0,
    url: p.url,
    imageUrl: p.image_url ?? "",
  };
}

/** What applying a batch's product events did. */
export interface ProductUpdateResult {
  /** Products written. */
  applied: number;
  /** Events older than the product's last change (the catalog kept the newer state). */
  stale: number;
  /** Changes published. */
  changes: number;
  /** Patches that cannot make a product, with why (the caller quarantines their events). */
  rejected: { readonly patch: ProductPatch; readonly reason: string }[];
}

/** Optimistic writes per product before the events are failed back to the stream. */
const MAX_ATTEMPTS = 5;

/**
 * Applies product events to the catalog, per product in event-time order: each is merged over the stored
 * product (a partial update changes only the properties it names) unless it is older than the product's last
 * change (`updatedAt`: last writer by event time wins), then ONE conditional write per product (on the hash it
 * read; a conflict re-reads and re-merges). Price drops and products back in stock are published after the write.
 * A write or publish failure throws (retryable: the stream redelivers; re-applying the same events is a no-op
 * that publishes nothing new).
 */
export async function applyProductUpdates(
  deps: { readonly store: CatalogStore; readonly changes?: CatalogChangePublisher },
  patches: readonly ProductPatch[],
): Promise<ProductUpdateResult> {
  const result: ProductUpdateResult = { applied: 0, stale: 0, changes: 0, rejected: [] };
  const byProduct = new Map<string, ProductPatch[]>();
  for (const patch of patches)
    byProduct.set(patch.productId, [...(byProduct.get(patch.productId) ?? []), patch]);
  const published: CatalogChange[] = [];
  await Promise.all(
    [...byProduct.entries()].map(async ([productId, list]) => {
      const ordered = [...list].sort((a, b) => a.at - b.at);
      for (let attempt = 1; ; attempt++) {
        const stored = (await deps.store.getStored([productId])).get(productId);
        let product = stored?.product;
        let stale = 0;
        const rejected: { patch: ProductPatch; reason: string }[] = [];
        for (const patch of ordered) {
          if (product?.updatedAt !== undefined && patch.at < product.updatedAt) {
            stale++;
            continue;
          }
          const merged = mergeProductPatch(product, patch);
          if (typeof merged === "string") rejected.push({ patch, reason: merged });
          else product = merged;
        }
        if (product === undefined || product === stored?.product) {
          result.stale += stale;
          result.rejected.push(...rejected);
          return;
        }
        const hash = productHash(product);
        const retired = stored?.retired ?? false;
        if (hash === stored?.hash || (await deps.store.putIf({ product, hash, retired }, stored?.hash))) {
          result.applied += hash === stored?.hash ? 0 : 1;
          result.stale += stale;
          result.rejected.push(...rejected);
          const before = stored === undefined ? undefined : productSignal(stored.product, stored.retired);
          published.push(
            ...catalogChanges(productId, before, productSignal(product, retired), ordered.at(-1)?.at ?? 0),
          );
          return;
        }
        if (attempt >= MAX_ATTEMPTS) {
          throw new ProductConflictError(productId, attempt);
        }
      }
    }),
  );
  if (published.length > 0 && deps.changes !== undefined) await deps.changes.publish(published);
  result.changes = published.length;
  return result;
}

/** A product kept changing under the event's write: its events go back to the stream. */
export class ProductConflictError extends Error {
  readonly retryable = true;
  constructor(productId: string, attempts: number) {
    super(`product ${productId}: the catalog item kept changing after ${attempts} attempts`);
    this.name = "ProductConflictError";
  }
}
