import {
  type AttributeValue,
  BatchWriteItemCommand,
  DeleteItemCommand,
  type DynamoDBClient,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { toJsonObject } from "../domain/privacy/json-value.js";
import { DependencyUnavailableError } from "../errors.js";
import type { CustomerItems, LedgerItem, PendingTimer } from "../ports.js";
import { SEND_TIMER_NAMESPACE } from "./dynamo-send-timers.js";
import { shortLinkKey } from "./dynamo-short-links.js";
import { TIMERS_BY_CUSTOMER_INDEX } from "./dynamo-timers.js";

/** Requests per BatchWriteItem (DynamoDB's limit). */
const BATCH_WRITE_LIMIT = 25;
const UNPROCESSED_RETRIES = 8;

type Key = Record<string, AttributeValue>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const backoff = (attempt: number) => sleep(Math.min(1000, 25 * 2 ** attempt));

async function call<T>(what: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw new DependencyUnavailableError(`${what} failed`, error);
  }
}

/** Deletes `keys` from `tableName` with BatchWriteItem, 25 at a time, retrying unprocessed ones. */
export async function batchDelete(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly Key[],
): Promise<void> {
  for (let i = 0; i < keys.length; i += BATCH_WRITE_LIMIT) {
    let requests = keys.slice(i, i + BATCH_WRITE_LIMIT).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) {
        throw new DependencyUnavailableError(`BatchWriteItem on ${tableName} left deletes unprocessed`);
      }
      if (attempt > 0) await backoff(attempt);
      const out = await call(`BatchWriteItem on ${tableName}`, () =>
        client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } })),
      );
      requests = (out.UnprocessedItems?.[tableName] ?? []).flatMap((request) =>
        request.DeleteRequest?.Key === undefined
          ? []
          : [{ DeleteRequest: { Key: request.DeleteRequest.Key } }],
      );
    }
  }
}

/** The send ledger's items of a customer (one partition: claims `key#…` and the log `log#…`). */
export class DynamoLedgerErasure implements CustomerItems<LedgerItem> {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async list(customerId: string): Promise<LedgerItem[]> {
    return (await this.#items(customerId)).map((item) => ({
      kind: item.sk?.S?.startsWith("log#") === true ? "log" : "claim",
      item: toJsonObject(unmarshall(item)),
    }));
  }

  /** Deletes the customer's partition, and the short links its texts' entries name (`linkIds`). */
  async erase(customerId: string): Promise<number> {
    const items = await this.#items(customerId);
    const links = items.flatMap((item) =>
      (item.linkIds?.L ?? []).flatMap((id) => (id.S === undefined ? [] : [shortLinkKey(id.S)])),
    );
    await batchDelete(this.#client, this.#tableName, [
      ...items.flatMap((item) =>
        item.sk === undefined ? [] : [{ customerId: { S: customerId }, sk: item.sk }],
      ),
      ...links,
    ]);
    return items.length + links.length;
  }

  /** Every item of the partition: one Query, page by page. */
  #items(customerId: string): Promise<Key[]> {
    return allPages(`Query on ${this.#tableName}`, (start) =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: "customerId = :c",
          ExpressionAttributeValues: { ":c": { S: customerId } },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      ),
    );
  }
}

/**
 * A customer's segment and send timers in the due-time table. The table is keyed by due minute, so they are
 * found by a Query of its {@link TIMERS_BY_CUSTOMER_INDEX} index (partition `customerId`): it reads the
 * customer's timers only, whatever the table's size. The index is eventually consistent: a timer written a
 * moment before the erasure may be missed by it (erasing again finds it; it expires by TTL in any case).
 */
export class DynamoTimerErasure implements CustomerItems<PendingTimer> {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async list(customerId: string): Promise<PendingTimer[]> {
    return (await this.#items(customerId)).map((item) => {
      const payload = item.p?.S;
      return {
        kind: item.b?.S?.startsWith(`${SEND_TIMER_NAMESPACE}#`) === true ? "send" : "segment",
        dueAt: Number(item.dueAt?.N),
        ...(payload === undefined ? {} : { payload }),
      };
    });
  }

  async erase(customerId: string): Promise<number> {
    const items = await this.#items(customerId);
    // One DeleteItem each: a customer has a handful of timers at most.
    for (const item of items) {
      if (item.b === undefined || item.k === undefined) continue;
      const key = { b: item.b, k: item.k };
      await call(`DeleteItem on ${this.#tableName}`, () =>
        this.#client.send(new DeleteItemCommand({ TableName: this.#tableName, Key: key })),
      );
    }
    return items.length;
  }

  #items(customerId: string): Promise<Key[]> {
    return allPages(`Query on ${this.#tableName} index ${TIMERS_BY_CUSTOMER_INDEX}`, (start) =>
      this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          IndexName: TIMERS_BY_CUSTOMER_INDEX,
          KeyConditionExpression: "customerId = :c",
          ExpressionAttributeValues: { ":c": { S: customerId } },
          ExclusiveStartKey: start,
        }),
      ),
    );
  }
}

/** Every item a paginated Query or Scan returns, page after page. */
async function allPages(
  what: string,
  page: (start: Key | undefined) => Promise<{ Items?: Key[]; LastEvaluatedKey?: Key }>,
): Promise<Key[]> {
  const items: Key[] = [];
  let start: Key | undefined;
  do {
    const out = await call(what, () => page(start));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}
