import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { DependencyUnavailableError, TailorError } from "../errors.js";
import type { AuditAction, AuditEntry, AuditLog } from "../ports.js";
import { DEFAULT_AUDIT_RETENTION_DAYS, ttlAttribute } from "./dynamo-ttl.js";

/** Digits of a padded epoch-ms time, so sort keys order like numbers. */
const AT_DIGITS = 15;
const DAY_MS = 86_400_000;
/** Days one `between` may span: one Query per day, so a range of decades is refused rather than crawled. */
export const AUDIT_MAX_RANGE_DAYS = 366;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
/** Entries written at once: a few parallel puts, not a burst that throttles the day partition. */
const WRITE_CONCURRENCY = 8;

const ACTIONS: ReadonlySet<string> = new Set<AuditAction>([
  "consent.changed",
  "customer.erased",
  "customer.exported",
  "customer.viewed",
  "customer.erasure_dropped_event",
]);
const isAction = (value: unknown): value is AuditAction => typeof value === "string" && ACTIONS.has(value);

const pad = (n: number) => String(Math.max(0, Math.floor(n))).padStart(AT_DIGITS, "0");

/** The partition of one customer's entries: `c#<customer hash>`. */
export const customerPartition = (customerHash: string) => `c#${customerHash}`;
/** The partition of one UTC day's entries: `d#<yyyy-mm-dd>`. */
export const dayPartition = (atMs: number) => `d#${new Date(dayStart(atMs)).toISOString().slice(0, 10)}`;
/** The sort key of an entry in either partition: `<at, 15 digits>#<id>`. */
export const entrySortKey = (entry: Pick<AuditEntry, "at" | "id">) => `${pad(entry.at)}#${entry.id}`;
/** The key of the item that guards an id: written first, so an id is appended once, at one time. */
const guardKey = (id: string): Record<string, AttributeValue> => ({ pk: { S: `i#${id}` }, sk: { S: "i" } });

const dayStart = (atMs: number) => Math.floor(Math.max(0, atMs) / DAY_MS) * DAY_MS;

/** An item back into an entry; `undefined` for an item that is not one (never thrown: reading must work). */
function toEntry(item: Record<string, AttributeValue>): AuditEntry | undefined {
  const { id, at, action, actor, customerHash, details } = unmarshall(item);
  if (typeof id !== "string" || typeof at !== "number" || !isAction(action)) return undefined;
  if (typeof actor !== "string" || typeof customerHash !== "string") return undefined;
  const kept: Record<string, string | number | boolean> = {};
  if (typeof details === "object" && details !== null) {
    for (const [key, value] of Object.entries(details)) {
      if (typeof value === "string" || typeof value === "number" || typeof value === "boolean")
        kept[key] = value;
    }
  }
  return { id, at, action, actor, customerHash, details: kept };
}

/** A `between` range longer than {@link AUDIT_MAX_RANGE_DAYS}: ask for a shorter one. */
export class AuditRangeError extends TailorError {
  constructor(fromMs: number, toMs: number) {
    super(`audit range ${fromMs}..${toMs} (epoch ms) spans more than ${AUDIT_MAX_RANGE_DAYS} days`, {
      retryable: false,
    });
  }
}

/**
 * The audit log in one DynamoDB table (partition `pk`, sort `sk`, both strings; no index), append-only.
 *
 * Each entry is written as two copies so that both reads are single-partition Queries, newest first:
 * - `pk = c#<customer hash>`, `sk = <at, padded>#<id>`: {@link DynamoAuditLog.forCustomer};
 * - `pk = d#<yyyy-mm-dd>` (UTC day of `at`), same `sk`: {@link DynamoAuditLog.between} queries one partition
 *   per day in the range, newest day first, with a filter on `action` when asked.
 *
 * An id is appended once: a guard item `pk = i#<id>`, `sk = i` holding `at` is put first, on condition that it
 * is absent or holds the same `at`; then the two copies, each on condition that it is absent. A retry after a
 * crash between the puts finishes the copies; a second entry with the same id and another time is ignored (the
 * first one wins). Nothing is ever updated or deleted. Costs: three writes per entry.
 *
 * Limits: a day partition takes at most 1 000 writes a second (DynamoDB's per-partition limit), i.e. ~330 entries
 * a second; the audited actions (consent changes, erasures, exports) stay well below that.
 */
export class DynamoAuditLog implements AuditLog {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #retentionDays: number;

  constructor(options: {
    client: DynamoDBClient;
    tableName: string;
    /**
     * Days an entry (its two copies and its guard) is kept after its time, as the items' `ttl` that DynamoDB's
     * TTL reads. @default {@link DEFAULT_AUDIT_RETENTION_DAYS} (three years)
     */
    retentionDays?: number;
  }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#retentionDays = options.retentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
    ttlAttribute(0, this.#retentionDays);
  }

  async append(entries: readonly AuditEntry[]): Promise<void> {
    let next = 0;
    const worker = async () => {
      for (let index = next++; index < entries.length; index = next++) {
        const entry = entries[index];
        if (entry !== undefined) await this.#appendOne(entry);
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, entries.length) }, worker));
  }

  async forCustomer(customerHash: string, limit = DEFAULT_LIMIT): Promise<AuditEntry[]> {
    return this.#query(
      {
        KeyConditionExpression: "pk = :pk",
        ExpressionAttributeValues: { ":pk": { S: customerPartition(customerHash) } },
      },
      bound(limit),
    );
  }

  async between(
    fromMs: number,
    toMs: number,
    options: { action?: AuditAction; limit?: number } = {},
  ): Promise<AuditEntry[]> {
    const limit = bound(options.limit ?? DEFAULT_LIMIT);
    const entries: AuditEntry[] = [];
    if (!(fromMs <= toMs)) return entries;
    if (dayStart(toMs) - dayStart(fromMs) >= AUDIT_MAX_RANGE_DAYS * DAY_MS) {
      throw new AuditRangeError(fromMs, toMs);
    }
    const filter =
      options.action === undefined
        ? {}
        : {
            FilterExpression: "#action = :action",
            ExpressionAttributeNames: { "#action": "action" },
          };
    for (let day = dayStart(toMs); day >= dayStart(fromMs) && entries.length < limit; day -= DAY_MS) {
      const found = await this.#query(
        {
          KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
          ExpressionAttributeValues: {
            ":pk": { S: dayPartition(day) },
            ":from": { S: pad(fromMs) },
            // `~` sorts after `#` and every character of an id we write, so entries at `toMs` are included.
            ":to": { S: `${pad(toMs)}#~` },
            ...(options.action === undefined ? {} : { ":action": { S: options.action } }),
          },
          ...filter,
        },
        limit - entries.length,
      );
      entries.push(...found);
    }
    return entries;
  }

  async #appendOne(entry: AuditEntry): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            ...guardKey(entry.id),
            at: { N: String(entry.at) },
            ...ttlAttribute(entry.at, this.#retentionDays),
          },
          ConditionExpression: "attribute_not_exists(pk) OR #at = :at",
          ExpressionAttributeNames: { "#at": "at" },
          ExpressionAttributeValues: { ":at": { N: String(entry.at) } },
        }),
      );
    } catch (error) {
      // The id was appended at another time: the first entry stands.
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyUnavailableError(`PutItem (audit guard) on ${this.#tableName} failed`, error);
    }
    const body = marshall(
      {
        id: entry.id,
        at: entry.at,
        action: entry.action,
        actor: entry.actor,
        customerHash: entry.customerHash,
        details: entry.details,
      },
      { removeUndefinedValues: true },
    );
    const sk = entrySortKey(entry);
    await Promise.all(
      [customerPartition(entry.customerHash), dayPartition(entry.at)].map((pk) =>
        this.#putOnce({
          ...body,
          pk: { S: pk },
          sk: { S: sk },
          ...ttlAttribute(entry.at, this.#retentionDays),
        }),
      ),
    );
  }

  async #putOnce(item: Record<string, AttributeValue>): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: item,
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      // Already written by an earlier attempt: append-only, never overwritten.
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyUnavailableError(`PutItem (audit entry) on ${this.#tableName} failed`, error);
    }
  }

  async #query(
    input: Pick<
      QueryCommandInput,
      "KeyConditionExpression" | "ExpressionAttributeValues" | "FilterExpression" | "ExpressionAttributeNames"
    >,
    limit: number,
  ): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    let start: Record<string, AttributeValue> | undefined;
    while (entries.length < limit) {
      const out = await this.#client
        .send(
          new QueryCommand({
            ...input,
            TableName: this.#tableName,
            ScanIndexForward: false,
            // With a filter, Limit counts items read, not kept: read a page, keep what passes.
            Limit: input.FilterExpression === undefined ? limit - entries.length : MAX_LIMIT,
            ExclusiveStartKey: start,
          }),
        )
        .catch((error: unknown) => {
          throw new DependencyUnavailableError(`Query (audit) on ${this.#tableName} failed`, error);
        });
      for (const item of out.Items ?? []) {
        const entry = toEntry(item);
        if (entry !== undefined && entries.length < limit) entries.push(entry);
      }
      start = out.LastEvaluatedKey;
      if (start === undefined) break;
    }
    return entries;
  }
}

const bound = (limit: number) => Math.max(0, Math.min(MAX_LIMIT, Math.floor(limit)));
