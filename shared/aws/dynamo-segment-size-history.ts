import {
  type AttributeValue,
  BatchWriteItemCommand,
  type DynamoDBClient,
  QueryCommand,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { DependencyUnavailableError } from "../errors.js";
import type { SegmentSizeHistory, SegmentSizePoint } from "../ports.js";

/** Days a point is kept (its `ttl`, where the table expires items): a bit over a year of charts. */
export const SIZE_HISTORY_DAYS = 400;
const DAY_S = 24 * 60 * 60;
const BATCH_WRITE_LIMIT = 25;
const UNPROCESSED_RETRIES = 8;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

const historyKey = (segmentId: string) => `history#${segmentId}`;

/** The item of one segment's size on one UTC day (`pk = history#<segmentId>`, `sk = YYYY-MM-DD`). */
export function sizePointItem(segmentId: string, day: string, size: number): Record<string, AttributeValue> {
  const expires = Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + SIZE_HISTORY_DAYS * DAY_S;
  return {
    pk: { S: historyKey(segmentId) },
    sk: { S: day },
    n: { N: String(size) },
    ttl: { N: String(expires) },
  };
}

/**
 * Segment sizes per day in the segments table, one item per segment per day (the nightly recount's exact size):
 * a chart of N days of one segment is one Query of at most N items, whatever the population.
 */
export class DynamoSegmentSizeHistory implements SegmentSizeHistory {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async record(day: string, sizes: ReadonlyMap<string, number>): Promise<void> {
    if (!DAY.test(day)) throw new RangeError(`day: YYYY-MM-DD, got "${day}"`);
    const requests: WriteRequest[] = [...sizes].map(([segmentId, size]) => ({
      PutRequest: { Item: sizePointItem(segmentId, day, size) },
    }));
    for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
      await batchWrite(this.#client, this.#tableName, requests.slice(i, i + BATCH_WRITE_LIMIT));
    }
  }

  async history(
    segmentIds: readonly string[],
    sinceDay: string,
  ): Promise<ReadonlyMap<string, readonly SegmentSizePoint[]>> {
    const entries = await Promise.all(
      segmentIds.map(async (segmentId) => [segmentId, await this.#points(segmentId, sinceDay)] as const),
    );
    return new Map(entries);
  }

  async #points(segmentId: string, sinceDay: string): Promise<SegmentSizePoint[]> {
    const points: SegmentSizePoint[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await call(this.#tableName, "Query", () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression: "pk = :pk AND sk >= :since",
            ExpressionAttributeValues: { ":pk": { S: historyKey(segmentId) }, ":since": { S: sinceDay } },
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of out.Items ?? []) {
        const day = item.sk?.S;
        const size = Number(item.n?.N);
        if (day !== undefined && Number.isFinite(size)) points.push({ day, size });
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return points;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Writes one batch (at most 25), retrying unprocessed items with backoff. */
export async function batchWrite(
  client: DynamoDBClient,
  tableName: string,
  chunk: WriteRequest[],
): Promise<void> {
  let pending = chunk;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > UNPROCESSED_RETRIES) {
      throw new DependencyUnavailableError(`BatchWriteItem left ${pending.length} items unprocessed`);
    }
    if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
    const out = await call(tableName, "BatchWriteItem", () =>
      client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } })),
    );
    pending = out.UnprocessedItems?.[tableName] ?? [];
  }
}

async function call<T>(tableName: string, operation: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (error) {
    throw new DependencyUnavailableError(`${operation} on ${tableName} failed`, error);
  }
}
