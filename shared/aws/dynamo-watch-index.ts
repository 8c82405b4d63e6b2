import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { WATCH_RETENTION_DAYS, type Watch, type Watcher } from "../domain/catalog/index.js";
import type { JsonValue } from "../domain/privacy/json-value.js";
import { toJsonObject } from "../domain/privacy/json-value.js";
import { DependencyUnavailableError } from "../errors.js";
import type { CustomerItems, WatcherPage, WatchIndex } from "../ports.js";
import { batchDelete } from "./dynamo-erasure.js";
import { TTL_ATTRIBUTE, ttlAttribute } from "./dynamo-ttl.js";

/** The index by customer (partition `c`, sort `p`, keys only): erasure and export find a customer's watches. */
export const WATCHES_BY_CUSTOMER_INDEX = "byCustomer";

/** Watchers read per Query page unless asked otherwise. */
export const WATCHER_PAGE_DEFAULT = 500;

type Key = Record<string, AttributeValue>;

const ATTRIBUTE: Record<Watch["how"], string> = { viewed: "v", carted: "k" };

async function call<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw new DependencyUnavailableError(`${what} failed`, error);
  }
}

/**
 * The watch index in DynamoDB: one item per product (partition `p`) and customer (sort `c`), with the newest
 * view `v` and cart add `k` (epoch ms) and `ttl` ({@link WATCH_RETENTION_DAYS} days after the newest of them).
 * A watch is one `UpdateItem` (1 write unit: the item is far below 1 KB; the keys-only index by customer is
 * written once more when the item is new). An older watch never overwrites a newer time, nor shortens the
 * item's `ttl`.
 */
export class DynamoWatchIndex implements WatchIndex, CustomerItems<{ [key: string]: JsonValue }> {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async record(watches: readonly Watch[]): Promise<number> {
    let writes = 0;
    for (const watch of watches) writes += await this.#recordOne(watch);
    return writes;
  }

  async #recordOne(watch: Watch): Promise<number> {
    const key = { p: { S: watch.productId }, c: { S: watch.customerId } };
    const ttl = ttlAttribute(watch.at, WATCH_RETENTION_DAYS)[TTL_ATTRIBUTE];
    const at = { N: String(watch.at) };
    const kind = ATTRIBUTE[watch.how];
    try {
      await this.#update(
        key,
        "SET #w = :at, #t = :ttl",
        "attribute_not_exists(#t) OR #t <= :ttl",
        { "#w": kind, "#t": TTL_ATTRIBUTE },
        { ":at": at, ":ttl": ttl },
      );
      return 1;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw this.#failure("UpdateItem", error);
    }
    // The item lives longer for a newer interest of the other kind: set this kind's time only, if newer.
    try {
      await this.#update(
        key,
        "SET #w = :at",
        "attribute_not_exists(#w) OR #w < :at",
        { "#w": kind },
        { ":at": at },
      );
      return 2;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 2;
      throw this.#failure("UpdateItem", error);
    }
  }

  #update(
    key: Key,
    expression: string,
    condition: string,
    names: Record<string, string>,
    values: Key,
  ): Promise<unknown> {
    return this.#client.send(
      new UpdateItemCommand({
        TableName: this.#tableName,
        Key: key,
        UpdateExpression: expression,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  #failure(what: string, error: unknown): DependencyUnavailableError {
    return new DependencyUnavailableError(`${what} on ${this.#tableName} failed`, error);
  }

  async forget(customerId: string, productIds: readonly string[]): Promise<number> {
    const unique = [...new Set(productIds)];
    await batchDelete(
      this.#client,
      this.#tableName,
      unique.map((p) => ({ p: { S: p }, c: { S: customerId } })),
    );
    return unique.length;
  }

  async watchers(
    productId: string,
    options: { readonly since: number; readonly cursor?: string; readonly limit?: number },
  ): Promise<WatcherPage> {
    const out = await call(`Query on ${this.#tableName}`, () =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: "p = :p",
          ExpressionAttributeValues: { ":p": { S: productId } },
          Limit: options.limit ?? WATCHER_PAGE_DEFAULT,
          ...(options.cursor === undefined
            ? {}
            : { ExclusiveStartKey: { p: { S: productId }, c: { S: options.cursor } } }),
        }),
      ),
    );
    const watchers: Watcher[] = [];
    for (const item of out.Items ?? []) {
      const customerId = item.c?.S;
      if (customerId === undefined) continue;
      const viewedAt = fresh(item.v, options.since);
      const cartedAt = fresh(item.k, options.since);
      // Past the retention (an emulator without TTL, or TTL not yet run): as if gone.
      if (viewedAt === undefined && cartedAt === undefined) continue;
      watchers.push({
        customerId,
        ...(viewedAt === undefined ? {} : { viewedAt }),
        ...(cartedAt === undefined ? {} : { cartedAt }),
      });
    }
    const next = out.LastEvaluatedKey?.c?.S;
    return { watchers, ...(next === undefined ? {} : { cursor: next }) };
  }

  async list(customerId: string): Promise<{ [key: string]: JsonValue }[]> {
    const keys = await this.#keysOf(customerId);
    return keys.map((key) => toJsonObject({ productId: key.p?.S ?? "" }));
  }

  async erase(customerId: string): Promise<number> {
    const keys = await this.#keysOf(customerId);
    await batchDelete(
      this.#client,
      this.#tableName,
      keys.flatMap((key) => (key.p === undefined ? [] : [{ p: key.p, c: { S: customerId } }])),
    );
    return keys.length;
  }

  /** The keys of the customer's items, from the index by customer (eventually consistent). */
  async #keysOf(customerId: string): Promise<Key[]> {
    const keys: Key[] = [];
    let start: Key | undefined;
    do {
      const out = await call(`Query on ${this.#tableName} index ${WATCHES_BY_CUSTOMER_INDEX}`, () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            IndexName: WATCHES_BY_CUSTOMER_INDEX,
            KeyConditionExpression: "c = :c",
            ExpressionAttributeValues: { ":c": { S: customerId } },
            ExclusiveStartKey: start,
          }),
        ),
      );
      keys.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return keys;
  }
}

/** A time attribute when it is at or after `since`. */
function fresh(value: AttributeValue | undefined, since: number): number | undefined {
  const at = value?.N === undefined ? Number.NaN : Number(value.N);
  return Number.isFinite(at) && at >= since ? at : undefined;
}
