import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { SegmentTransition } from "../domain/segments/contracts.js";
import { DependencyUnavailableError } from "../errors.js";
import type { SegmentChanges, SegmentDayChanges } from "../ports.js";
import { batchGetAll, queryAll } from "./dynamo-query-all.js";
import { PROFILE_KEY_ATTRIBUTE, profileKey } from "./profile-key.js";

/** Days a segment's daily counts are kept (their `ttl`, where the table expires items). */
export const CHANGE_COUNT_DAYS = 400;
/** Days the customer ids of a day's changes are kept: a month of "who entered", then only the counts. */
export const CHANGE_ID_DAYS = 35;
const DAY_S = 24 * 60 * 60;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const AT_DIGITS = 15;

/** A day's marker: the customer's profile key and the transition's time. */
interface Marker {
  readonly key: string;
  readonly at: number;
}

const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);
const expiry = (day: string, days: number) =>
  String(Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + days * DAY_S);

/**
 * Segment transitions per UTC day in the segments table, without transactions:
 * - one marker per transition, `pk = changed#<segmentId>#<day>`, `sk = <kind>#<at, padded>#<profile key>` (the
 *   transition's identity), written with `attribute_not_exists`: a redelivered transition finds it and stops. A
 *   marker holds the customer's profile key (the `c#` hash the profile table is keyed by, which an erasure's
 *   tombstone keeps too), never the customer id: a day's customers are read back from their profiles, so an
 *   erased customer, whose profile is gone, is no longer named anywhere (and is counted as dropped);
 * - then, for a new marker only, an `ADD` of `entered` or `exited` on the day's counts, `pk = changes#<segmentId>`,
 *   `sk = <day>`.
 * A crash between the two undercounts that transition (its marker is there, its count is not), never counts it
 * twice. A day's page is one GetItem and two Queries of at most `limit` markers each (newest first), whatever the
 * churn. Markers expire after {@link CHANGE_ID_DAYS} days, counts after {@link CHANGE_COUNT_DAYS}.
 */
export class DynamoSegmentChanges implements SegmentChanges {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #profilesTable: string | undefined;

  /** `profilesTable`: where a day's customers are read back (needed by {@link day}, not by {@link record}). */
  constructor(options: { client: DynamoDBClient; tableName: string; profilesTable?: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#profilesTable = options.profilesTable;
  }

  async record(transition: SegmentTransition): Promise<void> {
    const { segmentId, customerId, kind, at } = transition;
    const day = dayOf(at);
    const key = profileKey(customerId);
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            pk: { S: `changed#${segmentId}#${day}` },
            sk: { S: `${kind}#${String(at).padStart(AT_DIGITS, "0")}#${key}` },
            h: { S: key },
            at: { N: String(at) },
            ttl: { N: expiry(day, CHANGE_ID_DAYS) },
          },
          ConditionExpression: "attribute_not_exists(sk)",
        }),
      );
    } catch (error) {
      // Recorded before: a redelivered transition, already counted.
      if (error instanceof ConditionalCheckFailedException) return;
      throw new DependencyUnavailableError(`PutItem (segment change) on ${this.#tableName} failed`, error);
    }
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: { pk: { S: `changes#${segmentId}` }, sk: { S: day } },
          UpdateExpression: "ADD #kind :one SET #ttl = if_not_exists(#ttl, :ttl)",
          ExpressionAttributeNames: { "#kind": kind, "#ttl": "ttl" },
          ExpressionAttributeValues: { ":one": { N: "1" }, ":ttl": { N: expiry(day, CHANGE_COUNT_DAYS) } },
        }),
      );
    } catch (error) {
      throw new DependencyUnavailableError(
        `UpdateItem (segment changes) on ${this.#tableName} failed`,
        error,
      );
    }
  }

  async day(segmentId: string, day: string, limit: number): Promise<SegmentDayChanges> {
    if (!DAY.test(day)) throw new RangeError(`day: YYYY-MM-DD, got "${day}"`);
    const [counts, recentEntered, recentExited] = await Promise.all([
      this.#client
        .send(
          new GetItemCommand({
            TableName: this.#tableName,
            Key: { pk: { S: `changes#${segmentId}` }, sk: { S: day } },
          }),
        )
        .catch((error: unknown) => {
          throw new DependencyUnavailableError(
            `GetItem (segment changes) on ${this.#tableName} failed`,
            error,
          );
        }),
      this.#recent(segmentId, day, "entered", limit),
      this.#recent(segmentId, day, "exited", limit),
    ]);
    const ids = await this.#customerIds([...recentEntered, ...recentExited].map((marker) => marker.key));
    const named = (markers: readonly Marker[]) =>
      markers.flatMap(({ key, at }) => {
        const customerId = ids.get(key);
        return customerId === undefined ? [] : [{ customerId, at }];
      });
    const entered = named(recentEntered);
    const exited = named(recentExited);
    return {
      entered: Number(counts.Item?.entered?.N ?? 0),
      exited: Number(counts.Item?.exited?.N ?? 0),
      recentEntered: entered,
      recentExited: exited,
      dropped: recentEntered.length + recentExited.length - entered.length - exited.length,
    };
  }

  /** The customer id of each profile key whose profile exists (an erased customer's tombstone names none). */
  async #customerIds(keys: readonly string[]): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    const unique = [...new Set(keys)];
    if (unique.length === 0) return ids;
    const table = this.#profilesTable;
    if (table === undefined) throw new RangeError("DynamoSegmentChanges: day() needs profilesTable");
    const items = await batchGetAll(
      this.#client,
      table,
      unique.map((key) => ({ [PROFILE_KEY_ATTRIBUTE]: { S: key } })),
      { projection: { expression: "#pk, customerId", names: { "#pk": PROFILE_KEY_ATTRIBUTE } } },
    );
    for (const item of items) {
      const key = item[PROFILE_KEY_ATTRIBUTE]?.S;
      const customerId = item.customerId?.S;
      if (key !== undefined && customerId !== undefined) ids.set(key, customerId);
    }
    return ids;
  }

  async #recent(
    segmentId: string,
    day: string,
    kind: SegmentTransition["kind"],
    limit: number,
  ): Promise<Marker[]> {
    if (limit <= 0) return [];
    const items = await queryAll(
      this.#client,
      {
        TableName: this.#tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :kind)",
        ExpressionAttributeValues: {
          ":pk": { S: `changed#${segmentId}#${day}` },
          ":kind": { S: `${kind}#` },
        },
        ScanIndexForward: false,
        Limit: limit,
      },
      limit,
    );
    return items.slice(0, limit).flatMap((item) => {
      const key = item.h?.S;
      const at = Number(item.at?.N);
      return key === undefined || !Number.isFinite(at) ? [] : [{ key, at }];
    });
  }
}
