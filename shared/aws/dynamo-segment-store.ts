import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type WriteRequest,
} from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import type { RfmThresholds } from "../domain/segments/contracts.js";
import { RFM_MONETARY_BASES } from "../domain/segments/rfm.js";
import { DependencyUnavailableError } from "../errors.js";
import type { SegmentSize, SegmentStore, SizeDelta } from "../ports.js";
import { batchWrite, sizePointItem } from "./dynamo-segment-size-history.js";
import { shardOf } from "./shard-of.js";

const RFM_KEY = { pk: { S: "rfm" }, sk: { S: "current" } };
const BATCH_WRITE_LIMIT = 25;

const cuts = z.tuple([z.number(), z.number(), z.number(), z.number()]);
const thresholdsSchema = z.object({
  recencyDays: cuts,
  frequency: cuts,
  monetary: cuts,
  computedAt: z.number(),
  population: z.number(),
  monetaryBasis: z.enum(RFM_MONETARY_BASES).optional(),
});

const sizeKey = (segmentId: string) => `size#${segmentId}`;

/**
 * Segment bookkeeping in one DynamoDB table (partition `pk`, sort `sk`):
 * - size counters, sharded so that no segment is a hot key: `pk = size#<segmentId>`, `sk = <shard>` (0 to
 *   `shards - 1`, by a hash of the customer), `n` the count; a segment's size is the sum of its shards. A recount
 *   writes the exact size to shard 0 (with `countedAt`) and 0 to the others.
 * - each recount's sizes as the day's points of the size history (`DynamoSegmentSizeHistory`).
 * - the population's RFM thresholds at `pk = rfm`, `sk = current`, as a JSON string in `json`.
 */
export class DynamoSegmentStore implements SegmentStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #shards: number;

  constructor(options: { client: DynamoDBClient; tableName: string; shards?: number }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#shards = options.shards ?? 16;
  }

  async rfmThresholds(): Promise<RfmThresholds | undefined> {
    const out = await this.#call("GetItem", () =>
      this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: RFM_KEY, ConsistentRead: true }),
      ),
    );
    const json = out.Item?.json?.S;
    if (json === undefined) return undefined;
    const parsed = thresholdsSchema.safeParse(JSON.parse(json));
    if (!parsed.success) {
      throw new DependencyUnavailableError(
        `${this.#tableName} holds unreadable RFM thresholds`,
        parsed.error,
      );
    }
    return parsed.data;
  }

  async putRfmThresholds(thresholds: RfmThresholds): Promise<void> {
    await this.#call("PutItem", () =>
      this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: { ...RFM_KEY, json: { S: JSON.stringify(thresholds) } },
        }),
      ),
    );
  }

  async addToSizes(deltas: readonly SizeDelta[]): Promise<number> {
    const sums = new Map<string, { segmentId: string; shard: number; delta: number }>();
    for (const { segmentId, customerId, delta } of deltas) {
      const shard = shardOf(customerId, this.#shards);
      const key = `${segmentId}\u0000${shard}`;
      const sum = sums.get(key) ?? { segmentId, shard, delta: 0 };
      sum.delta += delta;
      sums.set(key, sum);
    }
    const writes = [...sums.values()].filter((sum) => sum.delta !== 0);
    // At most segments × shards writes, summed over a whole batch: small enough to send at once.
    await Promise.all(
      writes.map(({ segmentId, shard, delta }) =>
        this.#call("UpdateItem", () =>
          this.#client.send(
            new UpdateItemCommand({
              TableName: this.#tableName,
              Key: { pk: { S: sizeKey(segmentId) }, sk: { S: String(shard) } },
              UpdateExpression: "ADD n :delta",
              ExpressionAttributeValues: { ":delta": { N: String(delta) } },
            }),
          ),
        ),
      ),
    );
    return writes.length;
  }

  async sizes(segmentIds: readonly string[]): Promise<SegmentSize[]> {
    return Promise.all(segmentIds.map((segmentId) => this.#size(segmentId)));
  }

  async #size(segmentId: string): Promise<SegmentSize> {
    let size = 0;
    let countedAt: number | undefined;
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.#call("Query", () =>
        this.#client.send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": { S: sizeKey(segmentId) } },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of out.Items ?? []) {
        size += Number(item.n?.N ?? 0);
        if (item.countedAt?.N !== undefined) countedAt = Number(item.countedAt.N);
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return { segmentId, size, countedAt };
  }

  async putExactSizes(sizes: ReadonlyMap<string, number>, countedAt: number): Promise<void> {
    const requests: WriteRequest[] = [];
    for (const [segmentId, size] of sizes) {
      for (let shard = 0; shard < this.#shards; shard++) {
        const item: Record<string, AttributeValue> = {
          pk: { S: sizeKey(segmentId) },
          sk: { S: String(shard) },
          n: { N: String(shard === 0 ? size : 0) },
        };
        if (shard === 0) item.countedAt = { N: String(countedAt) };
        requests.push({ PutRequest: { Item: item } });
      }
      // The day's point of the size history (the console's charts): the last recount of a day wins.
      const day = new Date(countedAt).toISOString().slice(0, 10);
      requests.push({ PutRequest: { Item: sizePointItem(segmentId, day, size) } });
    }
    const chunks: WriteRequest[][] = [];
    for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
      chunks.push(requests.slice(i, i + BATCH_WRITE_LIMIT));
    }
    await Promise.all(chunks.map((chunk) => batchWrite(this.#client, this.#tableName, chunk)));
  }

  async #call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyUnavailableError(`${operation} on ${this.#tableName} failed`, error);
    }
  }
}
