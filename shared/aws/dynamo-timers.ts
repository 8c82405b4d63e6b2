import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { DependencyUnavailableError } from "../errors.js";
import type { DueTimer, Timers } from "../ports.js";
import { DEFAULT_TIMER_GRACE_DAYS, ttlAttribute } from "./dynamo-ttl.js";
import { shardOf } from "./shard-of.js";

/**
 * The timers table's global secondary index by customer (partition `customerId`, sort `k`, projecting `dueAt`
 * and `p`): only timers carry `customerId`, so it holds them alone, and erasure and export query it.
 */
export const TIMERS_BY_CUSTOMER_INDEX = "byCustomer";

const MINUTE_MS = 60_000;
const MINUTES_PER_HOUR = 60;
/** Digits of a padded epoch-ms due time, so sort keys order like numbers. */
const DUE_DIGITS = 15;
/** Digits of a padded epoch minute in the index. */
const MINUTE_DIGITS = 10;
/** Where the poll starts when no cursor was ever written: six days back (within one call's reach). */
const FIRST_LOOKBACK_MINUTES = 6 * 24 * MINUTES_PER_HOUR;
/** Hours of index read by one `due` call: a longer outage is caught up over several calls. */
const HOURS_PER_CALL = 7 * 24;
/** Queries sent at once. */
const PARALLEL = 8;
/** Minutes a container remembers having indexed (then it forgets them all and re-indexes as it goes). */
const INDEXED_MEMORY = 10_000;

const pad = (n: number, digits: number) => String(Math.max(0, Math.floor(n))).padStart(digits, "0");
const minuteOf = (ms: number) => Math.floor(ms / MINUTE_MS);
const hourOfMinute = (minute: number) => Math.floor(minute / MINUTES_PER_HOUR);

/** Runs `task` over `items`, `PARALLEL` at a time, keeping the order. */
async function inChunks<T, R>(items: readonly T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL) {
    results.push(...(await Promise.all(items.slice(i, i + PARALLEL).map(task))));
  }
  return results;
}

/**
 * One timer as stored: `id` names it within its due time (the customer for segment timers, the send key for
 * send timers), `customerId` is whom it is for, `payload` an optional text kept on the item (e.g. an intent).
 */
export interface TimerEntry {
  readonly id: string;
  readonly customerId: string;
  /** When it is due (epoch ms). */
  readonly dueAt: number;
  readonly payload?: string;
}

/**
 * Due-time timers in a DynamoDB table, without scans or transactions.
 *
 * Layout (partition `b`, sort `k`, all strings):
 * - a timer: `b = <due minute (epoch minutes)>#<shard>`, `k = <due time, padded>#<customerId>`, the customer
 *   spread over `shards` partitions per minute so a busy minute has no hot key;
 * - the minute index: `b = idx#<epoch hour>`, `k = <minute, padded>`, one item per minute that holds timers,
 *   written before the minute's first timer (each container remembers the minutes it indexed, so this is one
 *   extra write per minute and container, not per timer);
 * - the cursor: `b = k = cursor`, `m` the first minute that may still hold timers.
 *
 * A poll reads the index hour by hour from the cursor to now, queries only the indexed minutes' shards (the
 * current minute only up to `now`), oldest first, and moves the cursor past the minutes it found empty,
 * deleting their index entries. A minute is empty once its timers are completed (deleted), so a timer whose
 * processing failed keeps its minute open and is found again, while later minutes are still polled. The
 * cursor stays one minute behind the current one, so a timer written late into the minute just ended (a writer
 * whose clock is a little behind) is still found. Index entries of minutes at or after the cursor are never
 * deleted, so a writer's memory of having indexed a future minute stays true. The cursor follows the latest
 * `now` a poll was given: polls must use one clock (a poll run at a clock set in the future, as a test may do,
 * moves the cursor past the real present).
 *
 * Each timer and index entry carries a `ttl` (epoch seconds) `graceDays` after its due time (the end of its
 * minute), for DynamoDB's TTL: a timer fired is deleted at once, so expiry only reaches a timer whose processing
 * kept failing and index entries of minutes no poll drained; the cursor never expires. A customer's timers are
 * found by the {@link TIMERS_BY_CUSTOMER_INDEX} index, never by a scan.
 *
 * Costs: one write per timer, plus one per minute and container for the index; a poll reads the cursor, one
 * index query per hour since the cursor (normally one or two) and one query per shard of each indexed minute.
 *
 * Several kinds of timers can share the table: a `namespace` (e.g. `s`) prefixes every partition key of the
 * instance (`s#<minute>#<shard>`, `s#idx#<hour>`, cursor `s#cursor`), so each kind has its own timers, index
 * and cursor and never sees the others. Segment timers use none. {@link put}, {@link dueEntries} and
 * {@link remove} work on whole {@link TimerEntry}s (with a payload); `schedule`, `due` and `complete` are the
 * segment timers' view of them.
 */
export class DynamoTimers implements Timers {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #shards: number;
  readonly #indexed = new Set<number>();
  /** Prefix of every partition key: `""`, or the namespace and `#`. */
  readonly #prefix: string;
  readonly #cursorKey: Record<string, AttributeValue>;
  readonly #graceDays: number;

  constructor(options: {
    client: DynamoDBClient;
    tableName: string;
    shards?: number;
    /** Keeps this instance's timers apart from other kinds in the same table. @default none */
    namespace?: string;
    /**
     * Days a timer is kept past its due time before DynamoDB's TTL may delete it.
     * @default {@link DEFAULT_TIMER_GRACE_DAYS} (30)
     */
    graceDays?: number;
  }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#shards = options.shards ?? 4;
    this.#graceDays = options.graceDays ?? DEFAULT_TIMER_GRACE_DAYS;
    ttlAttribute(0, this.#graceDays);
    const namespace = options.namespace;
    if (namespace !== undefined && !/^[a-z][a-z0-9-]*$/.test(namespace)) {
      throw new RangeError(
        "a timer namespace is lower-case letters, digits and dashes, starting with a letter",
      );
    }
    this.#prefix = namespace === undefined ? "" : `${namespace}#`;
    const cursor = `${this.#prefix}cursor`;
    this.#cursorKey = { b: { S: cursor }, k: { S: cursor } };
  }

  #key(id: string, dueAt: number): Record<string, AttributeValue> {
    return {
      b: { S: `${this.#prefix}${minuteOf(dueAt)}#${shardOf(id, this.#shards)}` },
      k: { S: `${pad(dueAt, DUE_DIGITS)}#${id}` },
    };
  }

  #indexKey(minute: number): Record<string, AttributeValue> {
    return { b: { S: `${this.#prefix}idx#${hourOfMinute(minute)}` }, k: { S: pad(minute, MINUTE_DIGITS) } };
  }

  async schedule(customerId: string, dueAt: number): Promise<number> {
    return this.put({ id: customerId, customerId, dueAt });
  }

  async complete(timer: DueTimer): Promise<void> {
    await this.remove({ id: timer.customerId, dueAt: timer.dueAt });
  }

  async due(now: number, limit: number): Promise<DueTimer[]> {
    const entries = await this.dueEntries(now, limit);
    return entries.map((entry) => ({ customerId: entry.customerId, dueAt: entry.dueAt }));
  }

  /**
   * Records a timer (idempotent: the same id and due time is one timer, the last payload wins); resolves the
   * writes it took.
   */
  async put(entry: TimerEntry): Promise<number> {
    const { id, customerId, dueAt, payload } = entry;
    const minute = minuteOf(dueAt);
    let writes = 0;
    if (!this.#indexed.has(minute)) {
      await this.#call("PutItem", () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#tableName,
            Item: { ...this.#indexKey(minute), ...ttlAttribute((minute + 1) * MINUTE_MS, this.#graceDays) },
          }),
        ),
      );
      if (this.#indexed.size >= INDEXED_MEMORY) this.#indexed.clear();
      this.#indexed.add(minute);
      writes++;
    }
    await this.#call("PutItem", () =>
      this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            ...this.#key(id, dueAt),
            customerId: { S: customerId },
            dueAt: { N: String(dueAt) },
            ...(payload === undefined ? {} : { p: { S: payload } }),
            ...ttlAttribute(dueAt, this.#graceDays),
          },
        }),
      ),
    );
    return writes + 1;
  }

  /** Deletes a timer (nothing happens when it is gone already). */
  async remove(entry: Pick<TimerEntry, "id" | "dueAt">): Promise<void> {
    await this.#call("DeleteItem", () =>
      this.#client.send(
        new DeleteItemCommand({ TableName: this.#tableName, Key: this.#key(entry.id, entry.dueAt) }),
      ),
    );
  }

  /** Up to `limit` timers due at or before `now`, oldest minute first, with their ids and payloads. */
  async dueEntries(now: number, limit: number): Promise<TimerEntry[]> {
    const current = minuteOf(now);
    const cursor = (await this.#readCursor()) ?? current - FIRST_LOOKBACK_MINUTES;
    const firstHour = hourOfMinute(cursor);
    const lastHour = Math.min(hourOfMinute(current), firstHour + HOURS_PER_CALL - 1);
    const hours = Array.from({ length: Math.max(0, lastHour - firstHour + 1) }, (_, i) => firstHour + i);
    const minutes = (await inChunks(hours, (hour) => this.#indexedMinutes(hour)))
      .flat()
      .filter((minute) => minute >= cursor && minute <= current);

    const found: TimerEntry[] = [];
    const drained: number[] = [];
    let firstBusy: number | undefined;
    for (let i = 0; i < minutes.length && found.length < limit; i += PARALLEL) {
      const chunk = minutes.slice(i, i + PARALLEL);
      const perMinute = await Promise.all(chunk.map((minute) => this.#dueIn(minute, now, limit)));
      perMinute.forEach((timers, j) => {
        const minute = chunk[j];
        if (minute === undefined) return;
        if (timers.length === 0) {
          drained.push(minute);
          return;
        }
        firstBusy ??= minute;
        for (const timer of timers) if (found.length < limit) found.push(timer);
      });
    }
    // Stopping at the limit leaves later minutes unexamined: the first busy minute is before them anyway.
    const scannedUpTo = (lastHour + 1) * MINUTES_PER_HOUR;
    const next = Math.min(firstBusy ?? scannedUpTo, current - 1);
    if (next > cursor) {
      await this.#advanceCursor(next);
      await inChunks(
        drained.filter((minute) => minute < next),
        (minute) =>
          this.#call("DeleteItem", () =>
            this.#client.send(
              new DeleteItemCommand({ TableName: this.#tableName, Key: this.#indexKey(minute) }),
            ),
          ),
      );
    }
    return found;
  }

  async #indexedMinutes(hour: number): Promise<number[]> {
    const minutes: number[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.#call("Query", () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression: "b = :b",
            ExpressionAttributeValues: { ":b": { S: `${this.#prefix}idx#${hour}` } },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of out.Items ?? []) {
        const minute = Number(item.k?.S);
        if (Number.isSafeInteger(minute)) minutes.push(minute);
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return minutes;
  }

  async #dueIn(minute: number, now: number, limit: number): Promise<TimerEntry[]> {
    const shards = Array.from({ length: this.#shards }, (_, shard) => shard);
    const parts = await Promise.all(
      shards.map(async (shard) => {
        const out = await this.#call("Query", () =>
          this.#client.send(
            new QueryCommand({
              TableName: this.#tableName,
              KeyConditionExpression: "b = :b AND k < :upper",
              ExpressionAttributeValues: {
                ":b": { S: `${this.#prefix}${minute}#${shard}` },
                ":upper": { S: pad(now + 1, DUE_DIGITS) },
              },
              ConsistentRead: true,
              Limit: limit,
            }),
          ),
        );
        return (out.Items ?? []).flatMap((item): TimerEntry[] => {
          const customerId = item.customerId?.S;
          const dueAt = Number(item.dueAt?.N);
          const id = item.k?.S?.slice(DUE_DIGITS + 1);
          if (customerId === undefined || id === undefined || !Number.isFinite(dueAt)) return [];
          const payload = item.p?.S;
          return [{ id, customerId, dueAt, ...(payload === undefined ? {} : { payload }) }];
        });
      }),
    );
    return parts.flat().sort((a, b) => a.dueAt - b.dueAt);
  }

  async #readCursor(): Promise<number | undefined> {
    const out = await this.#call("GetItem", () =>
      this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: this.#cursorKey, ConsistentRead: true }),
      ),
    );
    const m = out.Item?.m?.N;
    return m === undefined ? undefined : Number(m);
  }

  /** Moves the cursor forward only: two polls racing never move it back. */
  async #advanceCursor(minute: number): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: { ...this.#cursorKey, m: { N: String(minute) } },
          ConditionExpression: "attribute_not_exists(m) OR m < :m",
          ExpressionAttributeValues: { ":m": { N: String(minute) } },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyUnavailableError(`PutItem (timer cursor) on ${this.#tableName} failed`, error);
    }
  }

  async #call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyUnavailableError(`${operation} on ${this.#tableName} failed`, error);
    }
  }
}
