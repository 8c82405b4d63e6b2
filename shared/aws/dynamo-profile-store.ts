import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import { TOMBSTONE_PREFIX } from "../app/privacy/customer-hash.js";
import type { Profile } from "../domain/profile/index.js";
import { DependencyUnavailableError } from "../errors.js";
import type {
  ClearOutboxOutcome,
  OutboxRemainder,
  OutboxStore,
  ProfileScan,
  ProfileStore,
  PutOutcome,
  ScanSlice,
  StoredProfile,
} from "../ports.js";
import { itemSizeBytes, writeUnitsFor } from "./dynamo-item-size.js";

const BATCH_GET_LIMIT = 100;
const UNPROCESSED_RETRIES = 8;

/** A light structural check of a stored item: the fields the store itself relies on. */
function isProfile(value: Record<string, unknown>): value is Profile {
  return typeof value.customerId === "string" && typeof value.version === "number";
}

function toStored(item: Record<string, AttributeValue>): StoredProfile {
  const data = unmarshall(item);
  if (!isProfile(data)) {
    throw new DependencyUnavailableError("profiles table holds an item without customerId and version");
  }
  return { profile: data, itemBytes: itemSizeBytes(item) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Profiles in a DynamoDB table keyed by `customerId`. Reads are strongly consistent (the optimistic write that
 * follows must see the latest version); writes are conditional puts that bump `version`. The batch path reads
 * every profile by parallel scan slices; the outbox of published transitions is cleared by a conditional update.
 */
export class DynamoProfileStore implements ProfileStore, OutboxStore, ProfileScan {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async get(customerId: string): Promise<StoredProfile | undefined> {
    const out = await this.#call(() =>
      this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key: { customerId: { S: customerId } },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item === undefined ? undefined : toStored(out.Item);
  }

  async getMany(customerIds: readonly string[]): Promise<Map<string, StoredProfile>> {
    const found = new Map<string, StoredProfile>();
    const unique = [...new Set(customerIds)];
    const chunks: string[][] = [];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT)
      chunks.push(unique.slice(i, i + BATCH_GET_LIMIT));
    await Promise.all(chunks.map((chunk) => this.#getChunk(chunk, found)));
    return found;
  }

  async #getChunk(customerIds: readonly string[], found: Map<string, StoredProfile>): Promise<void> {
    let keys = customerIds.map((customerId) => ({ customerId: { S: customerId } }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) {
        throw new DependencyUnavailableError(
          `BatchGetItem left ${keys.length} keys unprocessed after retries`,
        );
      }
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      const out = await this.#call(() =>
        this.#client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.#tableName]: { Keys: keys, ConsistentRead: true } },
          }),
        ),
      );
      for (const item of out.Responses?.[this.#tableName] ?? []) {
        const stored = toStored(item);
        found.set(stored.profile.customerId, stored);
      }
      keys = (out.UnprocessedKeys?.[this.#tableName]?.Keys ?? []).flatMap((key) =>
        key.customerId?.S === undefined ? [] : [{ customerId: { S: key.customerId.S } }],
      );
    }
  }

  async put(profile: Profile, previous: StoredProfile | undefined): Promise<PutOutcome> {
    const version = (previous?.profile.version ?? 0) + 1;
    const item = marshall({ ...profile, version }, { removeUndefinedValues: true });
    const itemBytes = itemSizeBytes(item);
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: item,
          ...(previous === undefined
            ? { ConditionExpression: "attribute_not_exists(customerId)" }
            : {
                ConditionExpression: "#version = :expected",
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":expected": { N: String(previous.profile.version) } },
              }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { ok: false, reason: "conflict" };
      throw new DependencyUnavailableError(`PutItem on ${this.#tableName} failed`, error);
    }
    return { ok: true, version, itemBytes, writeUnits: writeUnitsFor(previous?.itemBytes ?? 0, itemBytes) };
  }

  async clearOutbox(
    customerId: string,
    version: number,
    remaining: OutboxRemainder,
    itemBytes: number,
  ): Promise<ClearOutboxOutcome> {
    const next = version + 1;
    const values: Record<string, AttributeValue> = {
      ":expected": { N: String(version) },
      ":next": { N: String(next) },
    };
    const set = ["#version = :next"];
    const remove: string[] = [];
    if (remaining.transitions.length > 0) {
      values[":ob"] = {
        L: remaining.transitions.map((t) => ({ M: marshall(t, { removeUndefinedValues: true }) })),
      };
      set.push("#ob = :ob");
    } else remove.push("#ob");
    if (remaining.intents.length > 0) {
      values[":oi"] = {
        L: remaining.intents.map((i) => ({ M: marshall(i, { removeUndefinedValues: true }) })),
      };
      set.push("#oi = :oi");
    } else remove.push("#oi");
    const update = `SET ${set.join(", ")}${remove.length > 0 ? ` REMOVE ${remove.join(", ")}` : ""}`;
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: { customerId: { S: customerId } },
          UpdateExpression: update,
          ConditionExpression: "#version = :expected",
          ExpressionAttributeNames: { "#version": "version", "#ob": "ob", "#oi": "oi" },
          ExpressionAttributeValues: values,
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { ok: false, reason: "conflict" };
      throw new DependencyUnavailableError(`UpdateItem on ${this.#tableName} failed`, error);
    }
    // An update is billed on the larger of the item before and after: the outboxes only shrink.
    return { ok: true, version: next, writeUnits: writeUnitsFor(itemBytes, itemBytes) };
  }

  async *scan(slice: ScanSlice): AsyncIterable<StoredProfile> {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.#call(() =>
        this.#client.send(
          new ScanCommand({
            TableName: this.#tableName,
            Segment: slice.segment,
            TotalSegments: slice.totalSegments,
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const item of out.Items ?? []) {
        // An erased customer's tombstone (`tomb#<hash>`) shares the table but is not a profile.
        if (item.customerId?.S?.startsWith(TOMBSTONE_PREFIX) === true) continue;
        yield toStored(item);
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
  }

  async #call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyUnavailableError(`DynamoDB call on ${this.#tableName} failed`, error);
    }
  }
}
