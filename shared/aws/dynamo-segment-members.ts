import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import { customerHash } from "../domain/privacy/customer-hash.js";
import { DependencyUnavailableError } from "../errors.js";
import { type Clock, type SegmentMemberIndex, type SegmentMemberWriter, systemClock } from "../ports.js";
import { ttlAttribute } from "./dynamo-ttl.js";
import { shardOf } from "./shard-of.js";

/** Buckets each segment's index is split in: a fixed number, so a customer's bucket never moves. */
export const MEMBER_INDEX_BUCKETS = 16;

/** Prefix of the index's partition keys in the segments table (no other item's key starts with it). */
export const MEMBER_KEY_PREFIX = "m#";

/** The version an erasure writes: above any profile version, so no later sync can bring the customer back. */
const ERASED_VERSION = Number.MAX_SAFE_INTEGER;

/**
 * Days a non-member entry (an exit's or an erasure's marker) is kept: far longer than any write's flush can be
 * in flight (a Lambda runs 15 minutes at most), so a late, older flush always finds the newer marker.
 */
const MARKER_DAYS = 1;

/** The partition of `segmentId`'s index that holds `customerId`. */
export function memberPartition(segmentId: string, customerId: string): string {
  return `${MEMBER_KEY_PREFIX}${segmentId}#${shardOf(customerId, MEMBER_INDEX_BUCKETS)}`;
}

/** The buckets of part `part` of `parts` (every `parts`-th bucket from `part`). */
export function bucketsOfPart(part: number, parts: number): number[] {
  if (!Number.isSafeInteger(parts) || parts < 1) {
    throw new RangeError(`parts must be a whole number of at least 1, got ${parts}`);
  }
  if (!Number.isSafeInteger(part) || part < 0 || part >= parts) {
    throw new RangeError(`part must be a whole number from 0 to ${parts - 1}, got ${part}`);
  }
  const buckets: number[] = [];
  for (let bucket = part; bucket < MEMBER_INDEX_BUCKETS; bucket += parts) buckets.push(bucket);
  return buckets;
}

interface Position {
  /** Index into the part's buckets. */
  readonly at: number;
  /** The last key read in that bucket (its `sk`), when the bucket was left midway. */
  readonly after?: string;
}

const encodeCursor = (position: Position) =>
  Buffer.from(JSON.stringify(position), "utf8").toString("base64url");

function decodeCursor(cursor: string | undefined): Position {
  if (cursor === undefined) return { at: 0 };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    parsed = undefined;
  }
  if (
    typeof parsed === "object" &&
    parsed !== null &&
    "at" in parsed &&
    typeof parsed.at === "number" &&
    Number.isSafeInteger(parsed.at) &&
    parsed.at >= 0
  ) {
    const after = "after" in parsed && typeof parsed.after === "string" ? parsed.after : undefined;
    return after === undefined ? { at: parsed.at } : { at: parsed.at, after };
  }
  throw new RangeError("cursor: not a cursor this index returned (pass the `cursor` of the previous page)");
}

/**
 * The segment membership index in the segments table (partition `pk`, sort `sk`), one item per segment and
 * customer ever in it: `pk = m#<segmentId>#<bucket>` (bucket = FNV-1a of the customer id modulo
 * {@link MEMBER_INDEX_BUCKETS}), `sk` = the customer's hash, `v` the profile version it reflects, `m` whether a
 * member, `c` the customer id (members only). Every write is conditional on `v` being older, so the entry ends at
 * the newest version's state in any order of arrival; an exit leaves a marker (no id, expiring after a day) rather
 * than deleting, so an older entry arriving late cannot resurrect the member.
 *
 * Reading a segment queries its buckets: the cost follows the segment's size (plus its recent exits' markers), not
 * the profile table's.
 */
export class DynamoSegmentMembers implements SegmentMemberIndex, SegmentMemberWriter {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #segmentIds: () => readonly string[];
  readonly #clock: Clock;

  /**
   * @param options.segmentIds - every segment the index may hold (the library's), which an erasure clears.
   * @param options.clock - when markers are written, for their expiry. @default the system clock
   */
  constructor(options: {
    readonly client: DynamoDBClient;
    readonly tableName: string;
    readonly segmentIds?: () => readonly string[];
    readonly clock?: Clock;
  }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#segmentIds = options.segmentIds ?? (() => []);
    this.#clock = options.clock ?? systemClock;
  }

  async sync(
    customerId: string,
    version: number,
    memberships: ReadonlyMap<string, boolean>,
  ): Promise<number> {
    await Promise.all(
      [...memberships].map(([segmentId, member]) =>
        this.#put(segmentId, customerId, version, member, "attribute_not_exists(v) OR v < :v"),
      ),
    );
    return memberships.size;
  }

  async erase(customerId: string): Promise<number> {
    const segmentIds = this.#segmentIds();
    await Promise.all(
      segmentIds.map((segmentId) => this.#put(segmentId, customerId, ERASED_VERSION, false, undefined)),
    );
    return segmentIds.length;
  }

  async #put(
    segmentId: string,
    customerId: string,
    version: number,
    member: boolean,
    condition: string | undefined,
  ): Promise<void> {
    const item: Record<string, AttributeValue> = {
      pk: { S: memberPartition(segmentId, customerId) },
      sk: { S: customerHash(customerId) },
      v: { N: String(version) },
      m: { BOOL: member },
      ...(member ? { c: { S: customerId } } : ttlAttribute(this.#clock.now(), MARKER_DAYS)),
    };
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: item,
          ...(condition === undefined
            ? {}
            : {
                ConditionExpression: condition,
                ExpressionAttributeValues: { ":v": { N: String(version) } },
              }),
        }),
      );
    } catch (error) {
      // A newer version's state is already there: this write is the older one, and changes nothing.
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyUnavailableError(`PutItem on ${this.#tableName} failed`, error);
    }
  }

  async page(
    segmentId: string,
    options: {
      readonly part: number;
      readonly parts: number;
      readonly limit: number;
      readonly cursor?: string;
    },
  ): Promise<{ readonly customerIds: readonly string[]; readonly cursor?: string }> {
    if (!Number.isSafeInteger(options.limit) || options.limit < 1) {
      throw new RangeError(`limit must be a whole number of at least 1, got ${options.limit}`);
    }
    const buckets = bucketsOfPart(options.part, options.parts);
    let position = decodeCursor(options.cursor);
    const customerIds: string[] = [];
    while (position.at < buckets.length && customerIds.length < options.limit) {
      const bucket = buckets[position.at] ?? 0;
      const pk = `${MEMBER_KEY_PREFIX}${segmentId}#${bucket}`;
      const out = await this.#query(pk, options.limit - customerIds.length, position.after);
      for (const item of out.Items ?? []) {
        const id = item.c?.S;
        if (item.m?.BOOL === true && id !== undefined) customerIds.push(id);
      }
      const last = out.LastEvaluatedKey?.sk?.S;
      position = last === undefined ? { at: position.at + 1 } : { at: position.at, after: last };
    }
    return position.at < buckets.length ? { customerIds, cursor: encodeCursor(position) } : { customerIds };
  }

  async #query(pk: string, limit: number, after: string | undefined) {
    try {
      return await this.#client.send(
        new QueryCommand({
          TableName: this.#tableName,
          KeyConditionExpression: "pk = :pk",
          FilterExpression: "m = :member",
          ExpressionAttributeValues: { ":pk": { S: pk }, ":member": { BOOL: true } },
          Limit: limit,
          ...(after === undefined ? {} : { ExclusiveStartKey: { pk: { S: pk }, sk: { S: after } } }),
        }),
      );
    } catch (error) {
      throw new DependencyUnavailableError(`Query on ${this.#tableName} failed`, error);
    }
  }
}
