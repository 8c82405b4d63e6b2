import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { SegmentTransition } from "../domain/segments/contracts.js";
import { DependencyUnavailableError } from "../errors.js";
import type { SegmentChange, SegmentChanges, SegmentDayChanges } from "../ports.js";
import { queryAll } from "./dynamo-query-all.js";

/** Days a segment's daily counts are kept (their `ttl`, where the table expires items). */
export const CHANGE_COUNT_DAYS = 400;
/** Days the customer ids of a day's changes are kept: a month of "who entered", then only the counts. */
export const CHANGE_ID_DAYS = 35;
const DAY_S = 24 * 60 * 60;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const AT_DIGITS = 15;

const dayOf = (at: number) => new Date(at).toISOString().slice(0, 10);
const expiry = (day: string, days: number) =>
  String(Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + days * DAY_S);

/**
 * Segment transitions per UTC day in the segments table, without transactions:
 * - one marker per transition, `pk = changed#<segmentId>#<day>`, `sk = <kind>#<at, padded>#<customerId>` (the
 *   transition's identity), written with `attribute_not_exists`: a redelivered transition finds it and stops;
 * - then, for a new marker only, an `ADD` of `entered` or `exited` on the day's counts, `pk = changes#<segmentId>`,
 *   `sk = <day>`.
 * A crash between the two undercounts that transition (its marker is there, its count is not), never counts it
 * twice. A day's page is one GetItem and two Queries of at most `limit` markers each (newest first), whatever the
 * churn. Markers expire after {@link CHANGE_ID_DAYS} days, counts after {@link CHANGE_COUNT_DAYS}.
 */
export class DynamoSegmentChanges implements SegmentChanges {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async record(transition: SegmentTransition): Promise<void> {
    const { segmentId, customerId, kind, at } = transition;
    const day = dayOf(at);
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            pk: { S: `changed#${segmentId}#${day}` },
            sk: { S: `${kind}#${String(at).padStart(AT_DIGITS, "0")}#${customerId}` },
            c: { S: customerId },
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
    return {
      entered: Number(counts.Item?.entered?.N ?? 0),
      exited: Number(counts.Item?.exited?.N ?? 0),
      recentEntered,
      recentExited,
    };
  }

  async #recent(
    segmentId: string,
    day: string,
    kind: SegmentTransition["kind"],
    limit: number,
  ): Promise<SegmentChange[]> {
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
      const customerId = item.c?.S;
      const at = Number(item.at?.N);
      return customerId === undefined || !Number.isFinite(at) ? [] : [{ customerId, at }];
    });
  }
}
