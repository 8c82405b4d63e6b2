import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { Profile } from "../domain/profile/index.js";
import { DependencyUnavailableError } from "../errors.js";
import type {
  ClearOutboxOutcome,
  ErasableProfiles,
  ErasedProfile,
  OutboxRemainder,
  OutboxStore,
  ProfileScan,
  ProfileStore,
  ProfilesAndTombstones,
  PutOutcome,
  ScanSlice,
  StoredProfile,
  Tombstone,
  TombstoneKind,
  TombstoneReader,
} from "../ports.js";
import { itemSizeBytes, writeUnitsFor } from "./dynamo-item-size.js";
import { PROFILE_KEY_ATTRIBUTE, profileKey } from "./profile-key.js";

const BATCH_GET_LIMIT = 100;
const UNPROCESSED_RETRIES = 8;

/** A light structural check of a stored item: the fields the store itself relies on. */
function isProfile(value: Record<string, unknown>): value is Profile {
  return typeof value.customerId === "string" && typeof value.version === "number";
}

type Item = Record<string, AttributeValue>;

const keyOf = (customerId: string): Item => ({ [PROFILE_KEY_ATTRIBUTE]: { S: profileKey(customerId) } });

/** A stored item: a profile, a tombstone (an erased customer), or neither (a corrupt item: an error). */
type Read =
  | { readonly kind: "profile"; readonly stored: StoredProfile }
  | { readonly kind: "tombstone"; readonly tombstone: Tombstone };

const TOMBSTONE_KINDS: ReadonlySet<string> = new Set<TombstoneKind>(["erased", "blocked"]);
const isTombstoneKind = (value: string | undefined): value is TombstoneKind =>
  value !== undefined && TOMBSTONE_KINDS.has(value);

/** The tombstone an item holds, if it is one (`erasedAt` and nothing personal). */
function tombstoneOf(item: Item): Tombstone | undefined {
  const erasedAt = Number(item.erasedAt?.N);
  if (item.erasedAt === undefined || !Number.isFinite(erasedAt)) return undefined;
  const kind = item.kind?.S;
  return { erasedAt, kind: isTombstoneKind(kind) ? kind : "erased" };
}

function read(item: Item): Read {
  const tombstone = tombstoneOf(item);
  if (tombstone !== undefined) return { kind: "tombstone", tombstone };
  const { [PROFILE_KEY_ATTRIBUTE]: _key, ...data } = unmarshall(item);
  if (!isProfile(data)) {
    throw new DependencyUnavailableError(
      "profiles table holds an item that is neither a profile nor a tombstone",
    );
  }
  return { kind: "profile", stored: { profile: data, itemBytes: itemSizeBytes(item) } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Profiles in a DynamoDB table keyed by `pk` = {@link profileKey}(customerId): a hash in the `c#` namespace, so no
 * id a producer sends can name another item. Reads are strongly consistent (the optimistic write that follows
 * must see the latest version); writes are conditional puts that bump `version`. The batch path reads every
 * profile by parallel scan slices; the outbox of published transitions is cleared by a conditional update.
 *
 * Erasure replaces the profile, at the same key and in one write, by a tombstone (`erasedAt`, `kind`): every
 * conditional write of the profile then fails (a tombstone has no `version`, and it exists), every read reports
 * it, and a scan skips it. No interleaving of writers can bring an erased profile back.
 */
export class DynamoProfileStore
  implements ProfileStore, OutboxStore, ProfileScan, TombstoneReader, ErasableProfiles
{
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  /** The customer's profile; `undefined` when unknown or erased. */
  async get(customerId: string): Promise<StoredProfile | undefined> {
    const found = await this.#getItem(customerId);
    return found?.kind === "profile" ? found.stored : undefined;
  }

  async getMany(customerIds: readonly string[]): Promise<Map<string, StoredProfile>> {
    return (await this.loadWithTombstones(customerIds)).profiles;
  }

  async loadWithTombstones(customerIds: readonly string[]): Promise<ProfilesAndTombstones> {
    const profiles = new Map<string, StoredProfile>();
    const erased = new Set<string>();
    const byKey = new Map<string, string>();
    for (const customerId of customerIds) byKey.set(profileKey(customerId), customerId);
    const keys = [...byKey.keys()];
    const chunks: string[][] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) chunks.push(keys.slice(i, i + BATCH_GET_LIMIT));
    await Promise.all(
      chunks.map(async (chunk) => {
        for (const item of await this.#batchGet(chunk)) {
          const customerId = byKey.get(item[PROFILE_KEY_ATTRIBUTE]?.S ?? "");
          if (customerId === undefined) continue;
          const found = read(item);
          if (found.kind === "tombstone") erased.add(customerId);
          else profiles.set(customerId, found.stored);
        }
      }),
    );
    return { profiles, erased };
  }

  async #batchGet(keys: readonly string[]): Promise<Item[]> {
    const items: Item[] = [];
    let pending: Item[] = keys.map((key) => ({ [PROFILE_KEY_ATTRIBUTE]: { S: key } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) {
        throw new DependencyUnavailableError(
          `BatchGetItem left ${pending.length} keys unprocessed after retries`,
        );
      }
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      const out = await this.#call(() =>
        this.#client.send(
          new BatchGetItemCommand({
            RequestItems: { [this.#tableName]: { Keys: pending, ConsistentRead: true } },
          }),
        ),
      );
      items.push(...(out.Responses?.[this.#tableName] ?? []));
      pending = out.UnprocessedKeys?.[this.#tableName]?.Keys ?? [];
    }
    return items;
  }

  async put(profile: Profile, previous: StoredProfile | undefined): Promise<PutOutcome> {
    const version = (previous?.profile.version ?? 0) + 1;
    const item: Item = {
      ...marshall({ ...profile, version }, { removeUndefinedValues: true }),
      ...keyOf(profile.customerId),
    };
    const itemBytes = itemSizeBytes(item);
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: item,
          // A tombstone exists and has no version: both conditions fail on it.
          ...(previous === undefined
            ? {
                ConditionExpression: "attribute_not_exists(#pk)",
                ExpressionAttributeNames: { "#pk": PROFILE_KEY_ATTRIBUTE },
              }
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
    if (remaining.counts.length > 0) {
      values[":ox"] = {
        L: remaining.counts.map((entry) => ({ M: marshall(entry, { removeUndefinedValues: true }) })),
      };
      set.push("#ox = :ox");
    } else remove.push("#ox");
    const update = `SET ${set.join(", ")}${remove.length > 0 ? ` REMOVE ${remove.join(", ")}` : ""}`;
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: keyOf(customerId),
          UpdateExpression: update,
          ConditionExpression: "#version = :expected",
          ExpressionAttributeNames: { "#version": "version", "#ob": "ob", "#oi": "oi", "#ox": "ox" },
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
    let start: Item | undefined;
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
        // An erased customer's tombstone shares the table but is not a profile.
        const found = read(item);
        if (found.kind === "profile") yield found.stored;
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
  }

  async erase(customerId: string, erasedAt: number, kind: TombstoneKind): Promise<ErasedProfile> {
    try {
      const out = await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: { ...keyOf(customerId), erasedAt: { N: String(erasedAt) }, kind: { S: kind } },
          // Any profile, whatever its version, is replaced; a tombstone is kept (the first erasure's time).
          ConditionExpression: "attribute_not_exists(erasedAt)",
          ReturnValues: "ALL_OLD",
        }),
      );
      return { tombstone: { erasedAt, kind }, replaced: out.Attributes !== undefined };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) {
        throw new DependencyUnavailableError(`PutItem (tombstone) on ${this.#tableName} failed`, error);
      }
    }
    const first = await this.tombstone(customerId);
    return { tombstone: first ?? { erasedAt, kind }, replaced: false };
  }

  async tombstone(customerId: string): Promise<Tombstone | undefined> {
    const found = await this.#getItem(customerId);
    return found?.kind === "tombstone" ? found.tombstone : undefined;
  }

  async lift(customerId: string): Promise<Tombstone | undefined> {
    try {
      const out = await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#tableName,
          Key: keyOf(customerId),
          // Only a tombstone: a profile written since is never deleted here.
          ConditionExpression: "attribute_exists(erasedAt)",
          ReturnValues: "ALL_OLD",
        }),
      );
      return out.Attributes === undefined ? undefined : tombstoneOf(out.Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw new DependencyUnavailableError(`DeleteItem (tombstone) on ${this.#tableName} failed`, error);
    }
  }

  async #getItem(customerId: string): Promise<Read | undefined> {
    const out = await this.#call(() =>
      this.#client.send(
        new GetItemCommand({ TableName: this.#tableName, Key: keyOf(customerId), ConsistentRead: true }),
      ),
    );
    return out.Item === undefined ? undefined : read(out.Item);
  }

  async #call<T>(send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyUnavailableError(`DynamoDB call on ${this.#tableName} failed`, error);
    }
  }
}
