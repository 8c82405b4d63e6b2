import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type AttributeValue,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import { DependencyUnavailableError } from "../errors.js";
import type {
  BestSellerQuery,
  CatalogIndexEntry,
  CatalogProduct,
  CatalogStore,
  StoredCatalogProduct,
} from "../ports.js";
import { itemSizeBytes, writeUnitsFor } from "./dynamo-item-size.js";
import { batchGetAll } from "./dynamo-query-all.js";

type Item = Record<string, AttributeValue>;

/** The table's key attributes and the sort key every product item has. */
export const CATALOG_KEY = { partition: "pk", sort: "sk", productSort: "product" } as const;

/**
 * The sparse indexes of best sellers: only available products (in stock, not retired) carry their keys.
 * `best-sellers` is partitioned over {@link BEST_SELLER_SHARDS} keys `all#<n>` so that a million-product import
 * spreads its index writes; `category-best-sellers` by the product's category. Both sort by `gr`, the rank.
 */
export const CATALOG_INDEXES = {
  all: { name: "best-sellers", partition: "ga", sort: "gr" },
  category: { name: "category-best-sellers", partition: "gc", sort: "gr" },
} as const;

/** Partition keys of the overall best-sellers index (queried in parallel and merged). */
export const BEST_SELLER_SHARDS = 4;

/** Keys per BatchGetItem, items per BatchWriteItem (DynamoDB's limits). */
const GET_LIMIT = 100;
const WRITE_LIMIT = 25;
const UNPROCESSED_RETRIES = 8;
/** Parallel scan segments of an import's index read. */
const SCAN_SEGMENTS = 4;

const productSchema: z.ZodType<CatalogProduct> = z.object({
  productId: z.string(),
  name: z.string(),
  brand: z.string(),
  category: z.string(),
  price: z.number(),
  currency: z.string(),
  inStock: z.boolean(),
  popularity: z.number(),
  url: z.string(),
  imageUrl: z.string(),
  prices: z.record(z.string(), z.number()).optional(),
  compareAtPrices: z.record(z.string(), z.number()).optional(),
  urls: z.record(z.string(), z.string()).optional(),
  images: z.array(z.string()).optional(),
  categories: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  stock: z.number().optional(),
  replenishDays: z.number().optional(),
  updatedAt: z.number().optional(),
});

const pricesSchema = z.record(z.string(), z.number());

/** The rank of a product in the best-sellers indexes: most popular first, then by id (ascending order). */
export function bestSellerRank(product: CatalogProduct): string {
  const inverse = Math.round((1 - Math.min(1, Math.max(0, product.popularity))) * 1e9);
  return `${String(inverse).padStart(10, "0")}#${product.productId}`;
}

function shardOf(productId: string): number {
  return (createHash("sha1").update(productId).digest()[0] ?? 0) % BEST_SELLER_SHARDS;
}

/** The item of a stored product. */
export function catalogItem(stored: StoredCatalogProduct): Item {
  const { product } = stored;
  const available = product.inStock && !stored.retired;
  const prices = { ...(product.prices ?? {}), [product.currency]: product.price };
  return {
    [CATALOG_KEY.partition]: { S: product.productId },
    [CATALOG_KEY.sort]: { S: CATALOG_KEY.productSort },
    d: { S: JSON.stringify(product) },
    h: { S: stored.hash },
    r: { BOOL: stored.retired },
    i: { BOOL: product.inStock },
    p: { S: JSON.stringify(prices) },
    ...(product.updatedAt === undefined ? {} : { ua: { N: String(product.updatedAt) } }),
    ...(available
      ? {
          [CATALOG_INDEXES.all.partition]: { S: `all#${shardOf(product.productId)}` },
          [CATALOG_INDEXES.all.sort]: { S: bestSellerRank(product) },
          ...(product.category === ""
            ? {}
            : { [CATALOG_INDEXES.category.partition]: { S: product.category } }),
        }
      : {}),
  };
}

/** Write units of a new item in the table and the indexes it is in (ALL projection: the item's size each). */
function itemWriteUnits(item: Item): number {
  const units = writeUnitsFor(0, itemSizeBytes(item));
  const indexes =
    (item[CATALOG_INDEXES.all.partition] === undefined ? 0 : 1) +
    (item[CATALOG_INDEXES.category.partition] === undefined ? 0 : 1);
  return units * (1 + indexes);
}

function storedOf(item: Item): StoredCatalogProduct | undefined {
  const text = item.d?.S;
  if (text === undefined) return undefined;
  const parsed = productSchema.safeParse(JSON.parse(text));
  if (!parsed.success) return undefined;
  return { product: parsed.data, hash: item.h?.S ?? "", retired: item.r?.BOOL === true };
}

/**
 * The catalog in DynamoDB (partition `pk` = product id, sort `sk` = `product`): the product as JSON in `d`, its
 * content hash `h`, `r` retired, `i` in stock and `p` prices (what an import's index scan projects), `ua`
 * updated at; available products carry the keys of the two sparse best-seller indexes, so best sellers are a
 * Query (overall: one per shard, merged), never a Scan. Reads are eventually consistent (the cache in front of
 * them is older anyway); BatchGetItem in chunks of 100 and BatchWriteItem in chunks of 25 retry their
 * unprocessed keys with backoff.
 */
export class DynamoCatalog implements CatalogStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { readonly client: DynamoDBClient; readonly tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async getMany(productIds: readonly string[]): Promise<ReadonlyMap<string, CatalogProduct>> {
    const stored = await this.getStored(productIds);
    return new Map([...stored].map(([id, { product }]) => [id, product]));
  }

  async getStored(productIds: readonly string[]): Promise<ReadonlyMap<string, StoredCatalogProduct>> {
    const unique = [...new Set(productIds)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += GET_LIMIT) chunks.push(unique.slice(i, i + GET_LIMIT));
    const found = new Map<string, StoredCatalogProduct>();
    for (const items of await Promise.all(chunks.map((chunk) => this.#batchGet(chunk)))) {
      for (const item of items) {
        const stored = storedOf(item);
        if (stored !== undefined) found.set(stored.product.productId, stored);
      }
    }
    return found;
  }

  async bestSellers(options: BestSellerQuery): Promise<readonly CatalogProduct[]> {
    if (options.limit <= 0) return [];
    const exclude = options.exclude ?? new Set<string>();
    // Enough to fill the limit even if every excluded product ranks first.
    const wanted = options.limit + exclude.size;
    const queries =
      options.category === undefined
        ? Array.from({ length: BEST_SELLER_SHARDS }, (_, shard) =>
            this.#queryIndex(CATALOG_INDEXES.all, `all#${shard}`, wanted),
          )
        : [this.#queryIndex(CATALOG_INDEXES.category, options.category, wanted)];
    const ranked = (await Promise.all(queries))
      .flat()
      .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
    const picked: CatalogProduct[] = [];
    for (const { stored } of ranked) {
      if (picked.length >= options.limit) break;
      if (!exclude.has(stored.product.productId)) picked.push(stored.product);
    }
    return picked;
  }

  async *index(): AsyncIterable<readonly CatalogIndexEntry[]> {
    const segments = Array.from({ length: SCAN_SEGMENTS }, (_, segment) => this.#scanSegment(segment));
    // The segments are read in parallel, a page of each at a time.
    let live = segments.map((segment) => segment[Symbol.asyncIterator]());
    while (live.length > 0) {
      const pages = await Promise.all(live.map((iterator) => iterator.next()));
      live = live.filter((_, i) => pages[i]?.done !== true);
      for (const page of pages) if (page.done !== true) yield page.value;
    }
  }

  async putMany(products: readonly StoredCatalogProduct[]): Promise<{ readonly writeUnits: number }> {
    const items = products.map(catalogItem);
    const chunks: Item[][] = [];
    for (let i = 0; i < items.length; i += WRITE_LIMIT) chunks.push(items.slice(i, i + WRITE_LIMIT));
    await Promise.all(chunks.map((chunk) => this.#batchWrite(chunk)));
    return { writeUnits: items.reduce((sum, item) => sum + itemWriteUnits(item), 0) };
  }

  async putIf(product: StoredCatalogProduct, previousHash: string | undefined): Promise<boolean> {
    try {
      await this.#call(() =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#tableName,
            Item: catalogItem(product),
            ...(previousHash === undefined
              ? { ConditionExpression: "attribute_not_exists(pk)" }
              : {
                  ConditionExpression: "h = :previous",
                  ExpressionAttributeValues: { ":previous": { S: previousHash } },
                }),
          }),
        ),
      );
      return true;
    } catch (error) {
      if (
        error instanceof DependencyUnavailableError &&
        error.cause instanceof ConditionalCheckFailedException
      ) {
        return false;
      }
      throw error;
    }
  }

  async #queryIndex(
    index: { readonly name: string; readonly partition: string },
    key: string,
    limit: number,
  ): Promise<{ rank: string; stored: StoredCatalogProduct }[]> {
    const found: { rank: string; stored: StoredCatalogProduct }[] = [];
    let start: Item | undefined;
    do {
      const out = await this.#call(() =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            IndexName: index.name,
            KeyConditionExpression: "#k = :k",
            ExpressionAttributeNames: { "#k": index.partition },
            ExpressionAttributeValues: { ":k": { S: key } },
            Limit: limit - found.length,
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        ),
      );
      for (const item of out.Items ?? []) {
        const stored = storedOf(item);
        const rank = item[CATALOG_INDEXES.all.sort]?.S;
        if (stored !== undefined && rank !== undefined) found.push({ rank, stored });
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined && found.length < limit);
    return found;
  }

  async *#scanSegment(segment: number): AsyncIterable<CatalogIndexEntry[]> {
    let start: Item | undefined;
    do {
      const out = await this.#call(() =>
        this.#client.send(
          new ScanCommand({
            TableName: this.#tableName,
            Segment: segment,
            TotalSegments: SCAN_SEGMENTS,
            ProjectionExpression: "pk, sk, h, r, i, p",
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        ),
      );
      const page: CatalogIndexEntry[] = [];
      for (const item of out.Items ?? []) {
        const productId = item.pk?.S;
        if (productId === undefined || item.sk?.S !== CATALOG_KEY.productSort) continue;
        const prices = pricesSchema.safeParse(JSON.parse(item.p?.S ?? "{}"));
        page.push({
          productId,
          hash: item.h?.S ?? "",
          retired: item.r?.BOOL === true,
          inStock: item.i?.BOOL === true,
          prices: prices.success ? prices.data : {},
        });
      }
      yield page;
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
  }

  #batchGet(productIds: readonly string[]): Promise<Item[]> {
    const keys = productIds.map((id) => ({
      [CATALOG_KEY.partition]: { S: id },
      [CATALOG_KEY.sort]: { S: CATALOG_KEY.productSort },
    }));
    return batchGetAll(this.#client, this.#tableName, keys);
  }

  async #batchWrite(items: readonly Item[]): Promise<void> {
    let pending = items.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) {
        throw new DependencyUnavailableError(
          `BatchWriteItem left ${pending.length} items unprocessed after retries`,
        );
      }
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      const requests = pending;
      const out = await this.#call(() =>
        this.#client.send(new BatchWriteItemCommand({ RequestItems: { [this.#tableName]: requests } })),
      );
      pending = (out.UnprocessedItems?.[this.#tableName] ?? []).flatMap((request) =>
        request.PutRequest?.Item === undefined ? [] : [{ PutRequest: { Item: request.PutRequest.Item } }],
      );
    }
  }

  async #call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyUnavailableError(`catalog table ${this.#tableName}: ${String(error)}`, error);
    }
  }
}
