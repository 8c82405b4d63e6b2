import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { IdentityLink, Profile } from "../domain/profile/index.js";
import { DependencyUnavailableError } from "../errors.js";
import type {
  ClearOutboxOutcome,
  EmailHolder,
  ErasableProfiles,
  ErasedProfile,
  Forward,
  IdentityStore,
  OutboxRemainder,
  OutboxStore,
  ProfilePage,
  ProfilePages,
  ProfileScan,
  ProfileStore,
  PutOutcome,
  ResolvedIds,
  ScanSlice,
  StoredProfile,
  Tombstone,
  TombstoneKind,
  TombstoneReader,
} from "../ports.js";
import { itemSizeBytes, writeUnitsFor } from "./dynamo-item-size.js";
import { batchGetAll } from "./dynamo-query-all.js";
import { emailKey, PROFILE_KEY_ATTRIBUTE, profileKey } from "./profile-key.js";

const BATCH_GET_LIMIT = 100;

/** A light structural check of a stored item: the fields the store itself relies on. */
function isProfile(value: Record<string, unknown>): value is Profile {
  return typeof value.customerId === "string" && typeof value.version === "number";
}

/** A light structural check of a stored identity link. */
function isLink(value: Record<string, unknown>): value is IdentityLink {
  return (
    typeof value.i === "string" &&
    (value.h === "identify" || value.h === "alias" || value.h === "email") &&
    typeof value.at === "number" &&
    typeof value.m === "string" &&
    typeof value.v === "number"
  );
}

type Item = Record<string, AttributeValue>;

const keyOf = (customerId: string): Item => ({ [PROFILE_KEY_ATTRIBUTE]: { S: profileKey(customerId) } });

/** A stored item: a profile, a tombstone (an erased customer), a forward (a merged id), or a corrupt item (an error). */
type Read =
  | { readonly kind: "profile"; readonly stored: StoredProfile }
  | { readonly kind: "tombstone"; readonly tombstone: Tombstone }
  | { readonly kind: "forward"; readonly forward: Forward };

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

/** The forward an item holds, if it is one: `fw` (the target), `at`, and the pending snapshot `pend`. */
function forwardOf(item: Item): Forward | undefined {
  const to = item.fw?.S;
  if (to === undefined) return undefined;
  const ln = item.ln?.M === undefined ? undefined : unmarshall(item.ln.M);
  const forward: Forward = {
    to,
    at: Number(item.at?.N ?? 0),
    ...(ln !== undefined && isLink(ln) ? { link: ln } : {}),
  };
  const pend = item.pend?.M;
  if (pend === undefined) return forward;
  const pending = unmarshall(pend);
  return isProfile(pending)
    ? { ...forward, pending: { profile: pending, itemBytes: itemSizeBytes(pend) } }
    : forward;
}

function read(item: Item): Read {
  const tombstone = tombstoneOf(item);
  if (tombstone !== undefined) return { kind: "tombstone", tombstone };
  const forward = forwardOf(item);
  if (forward !== undefined) return { kind: "forward", forward };
  const { [PROFILE_KEY_ATTRIBUTE]: _key, ...data } = unmarshall(item);
  if (!isProfile(data)) {
    throw new DependencyUnavailableError(
      "profiles table holds an item that is neither a profile, a tombstone nor a forward",
    );
  }
  return { kind: "profile", stored: { profile: data, itemBytes: itemSizeBytes(item) } };
}

/** Whether a scanned item is one of the table's own entries rather than a customer's (the email index). */
const isIndexEntry = (item: Item): boolean => item.owner !== undefined && item.fw === undefined;

/** The profiles among scanned items: tombstones, forwards and the email index share the table but are not. */
function profilesOf(items: readonly Item[]): StoredProfile[] {
  const profiles: StoredProfile[] = [];
  for (const item of items) {
    if (isIndexEntry(item)) continue;
    const found = read(item);
    if (found.kind === "profile") profiles.push(found.stored);
  }
  return profiles;
}

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
  implements
    ProfileStore,
    OutboxStore,
    ProfileScan,
    ProfilePages,
    TombstoneReader,
    ErasableProfiles,
    IdentityStore
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

  async loadWithTombstones(customerIds: readonly string[]): Promise<ResolvedIds> {
    return this.resolveIds(customerIds);
  }

  async resolveIds(ids: readonly string[]): Promise<ResolvedIds> {
    const profiles = new Map<string, StoredProfile>();
    const erased = new Set<string>();
    const forwards = new Map<string, Forward>();
    const byKey = new Map<string, string>();
    for (const id of ids) byKey.set(profileKey(id), id);
    const keys = [...byKey.keys()];
    const chunks: string[][] = [];
    for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) chunks.push(keys.slice(i, i + BATCH_GET_LIMIT));
    await Promise.all(
      chunks.map(async (chunk) => {
        for (const item of await this.#batchGet(chunk)) {
          const id = byKey.get(item[PROFILE_KEY_ATTRIBUTE]?.S ?? "");
          if (id === undefined) continue;
          const found = read(item);
          if (found.kind === "tombstone") erased.add(id);
          else if (found.kind === "forward") forwards.set(id, found.forward);
          else profiles.set(id, found.stored);
        }
      }),
    );
    return { profiles, erased, forwards };
  }

  async retire(
    id: string,
    previous: StoredProfile | undefined,
    to: string,
    at: number,
    link: IdentityLink,
  ): Promise<boolean> {
    const version = (previous?.profile.version ?? 0) + 1;
    const item: Item = {
      ...keyOf(id),
      fw: { S: to },
      at: { N: String(at) },
      ln: { M: marshall(link) },
      version: { N: String(version) },
      ...(previous === undefined
        ? {}
        : { pend: { M: marshall(previous.profile, { removeUndefinedValues: true }) } }),
    };
    return this.#putOver(item, previous, "PutItem (forward)");
  }

  async settleForward(id: string, to: string): Promise<void> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: keyOf(id),
          UpdateExpression: "REMOVE pend",
          ConditionExpression: "fw = :to AND attribute_exists(pend)",
          ExpressionAttributeValues: { ":to": { S: to } },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyUnavailableError(`UpdateItem (forward) on ${this.#tableName} failed`, error);
    }
  }

  async eraseForward(id: string, to: string, at: number): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: { ...keyOf(id), erasedAt: { N: String(at) }, kind: { S: "erased" } },
          ConditionExpression: "fw = :to",
          ExpressionAttributeValues: { ":to": { S: to } },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyUnavailableError(
        `PutItem (tombstone of a forward) on ${this.#tableName} failed`,
        error,
      );
    }
  }

  async emailOwner(email: string): Promise<EmailHolder | undefined> {
    const out = await this.#call(() =>
      this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key: { [PROFILE_KEY_ATTRIBUTE]: { S: emailKey(email) } },
          ConsistentRead: true,
        }),
      ),
    );
    const id = out.Item?.owner?.S;
    return id === undefined ? undefined : { id, known: out.Item?.known?.BOOL === true };
  }

  async claimEmail(email: string, holder: EmailHolder, replacing?: string): Promise<string> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            [PROFILE_KEY_ATTRIBUTE]: { S: emailKey(email) },
            owner: { S: holder.id },
            known: { BOOL: holder.known },
          },
          ConditionExpression:
            replacing === undefined
              ? "attribute_not_exists(#pk) OR #owner = :me"
              : "attribute_not_exists(#pk) OR #owner = :me OR #owner = :replacing",
          ExpressionAttributeNames: { "#pk": PROFILE_KEY_ATTRIBUTE, "#owner": "owner" },
          ExpressionAttributeValues: {
            ":me": { S: holder.id },
            ...(replacing === undefined ? {} : { ":replacing": { S: replacing } }),
          },
        }),
      );
      return holder.id;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) {
        throw new DependencyUnavailableError(`PutItem (email index) on ${this.#tableName} failed`, error);
      }
    }
    return (await this.emailOwner(email))?.id ?? holder.id;
  }

  async releaseEmail(email: string, customerId: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#tableName,
          Key: { [PROFILE_KEY_ATTRIBUTE]: { S: emailKey(email) } },
          ConditionExpression: "#owner = :me",
          ExpressionAttributeNames: { "#owner": "owner" },
          ExpressionAttributeValues: { ":me": { S: customerId } },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyUnavailableError(`DeleteItem (email index) on ${this.#tableName} failed`, error);
    }
  }

  /** Puts `item` over the stored version `previous` (none: over no item at all); false when another write came first. */
  async #putOver(item: Item, previous: StoredProfile | undefined, what: string): Promise<boolean> {
    try {
      await this.#client.send(
        new PutItemCommand({ TableName: this.#tableName, Item: item, ...this.#versionCondition(previous) }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyUnavailableError(`${what} on ${this.#tableName} failed`, error);
    }
  }

  /** The condition of a versioned write: the stored version is `previous`'s, or no item exists at all. */
  #versionCondition(
    previous: StoredProfile | undefined,
  ): Pick<
    PutItemCommandInput,
    "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
  > {
    // A tombstone exists and has no version: both conditions fail on it. A forward has a version of its own.
    return previous === undefined
      ? {
          ConditionExpression: "attribute_not_exists(#pk)",
          ExpressionAttributeNames: { "#pk": PROFILE_KEY_ATTRIBUTE },
        }
      : {
          ConditionExpression: "#version = :expected AND attribute_not_exists(fw)",
          ExpressionAttributeNames: { "#version": "version" },
          ExpressionAttributeValues: { ":expected": { N: String(previous.profile.version) } },
        };
  }

  #batchGet(keys: readonly string[]): Promise<Item[]> {
    const items = keys.map((key) => ({ [PROFILE_KEY_ATTRIBUTE]: { S: key } }));
    return batchGetAll(this.#client, this.#tableName, items, { consistentRead: true });
  }

  async put(profile: Profile, previous: StoredProfile | undefined): Promise<PutOutcome> {
    const version = (previous?.profile.version ?? 0) + 1;
    const item: Item = {
      ...marshall({ ...profile, version }, { removeUndefinedValues: true }),
      ...keyOf(profile.customerId),
    };
    const itemBytes = itemSizeBytes(item);
    if (!(await this.#putOver(item, previous, "PutItem"))) return { ok: false, reason: "conflict" };
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
      const out = await this.#scanPage(slice, { consistent: true, start });
      yield* profilesOf(out.Items ?? []);
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
  }

  /**
   * One page of the slice, eventually consistent unless asked (half the read units of `scan`); the cursor is the
   * last evaluated key's `pk` (a hash, never a customer id).
   */
  async page(
    slice: ScanSlice,
    options: { readonly limit: number; readonly cursor?: string; readonly consistent?: boolean },
  ): Promise<ProfilePage> {
    const start =
      options.cursor === undefined ? undefined : { [PROFILE_KEY_ATTRIBUTE]: { S: options.cursor } };
    const out = await this.#scanPage(slice, {
      consistent: options.consistent === true,
      start,
      limit: options.limit,
    });
    const cursor = out.LastEvaluatedKey?.[PROFILE_KEY_ATTRIBUTE]?.S;
    const profiles = profilesOf(out.Items ?? []);
    return cursor === undefined ? { profiles } : { profiles, cursor };
  }

  #scanPage(
    slice: ScanSlice,
    options: { readonly consistent: boolean; readonly start: Item | undefined; readonly limit?: number },
  ) {
    return this.#call(() =>
      this.#client.send(
        new ScanCommand({
          TableName: this.#tableName,
          Segment: slice.segment,
          TotalSegments: slice.totalSegments,
          ConsistentRead: options.consistent,
          ExclusiveStartKey: options.start,
          Limit: options.limit,
        }),
      ),
    );
  }

  async approximateCount(): Promise<number> {
    const out = await this.#call(() =>
      this.#client.send(new DescribeTableCommand({ TableName: this.#tableName })),
    );
    return out.Table?.ItemCount ?? 0;
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
