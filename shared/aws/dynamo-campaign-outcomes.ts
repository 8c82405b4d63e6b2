import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { DependencyUnavailableError } from "../errors.js";
import type { CampaignOutcomeCounts, CampaignOutcomeDay } from "../ports.js";
import { queryAll } from "./dynamo-query-all.js";

/** Days a campaign's day is kept (its `ttl`, where the table expires items), as the segment size history. */
export const OUTCOME_DAYS_KEPT = 400;
/** Distinct outcome keys one campaign's day holds (besides `skipped:other`); further ones count as `skipped:other`. */
export const MAX_OUTCOME_KEYS = 40;
/** The key that reasons past {@link MAX_OUTCOME_KEYS} count under. */
export const OTHER_SKIP = "skipped:other";
const DAY_S = 24 * 60 * 60;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** Outcome attributes carry this prefix, so no reason can name `pk`, `sk`, `ttl` or `keys`. */
const PREFIX = "o:";

const statsKey = (campaignId: string, day: string): Record<string, AttributeValue> => ({
  pk: { S: `stats#${campaignId}` },
  sk: { S: day },
});

/**
 * Campaign outcomes per UTC day in the segments table: `pk = stats#<campaignId>`, `sk = YYYY-MM-DD`, one number
 * attribute per outcome key (`o:sent`, `o:skipped:quiet hours`, …), `keys` the number of distinct ones, `ttl`.
 *
 * `add` is one UpdateItem (`ADD`) when the day already has the key; a key new to the day is added under the
 * condition that the day holds fewer than {@link MAX_OUTCOME_KEYS} (a second UpdateItem), else it counts as
 * {@link OTHER_SKIP} (one more, unconditional ADD): an item stays small whatever the reasons. A chart of N days is one Query of at most N items.
 */
export class DynamoCampaignOutcomes implements CampaignOutcomeCounts {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async add(campaignId: string, day: string, key: string): Promise<void> {
    if (!DAY.test(day)) throw new RangeError(`day: YYYY-MM-DD, got "${day}"`);
    if (key === "") throw new RangeError("key: an outcome key such as sent or skipped:quiet hours");
    const ttl = String(Math.floor(Date.parse(`${day}T00:00:00Z`) / 1000) + OUTCOME_DAYS_KEPT * DAY_S);
    // Known to the day: one ADD. New: ADD it and count it among the keys, while there is room.
    if (await this.#update(campaignId, day, key, ttl, "known")) return;
    if (await this.#update(campaignId, day, key, ttl, "new")) return;
    // Another writer added the key meanwhile, or the day is full.
    if (await this.#update(campaignId, day, key, ttl, "known")) return;
    await this.#update(campaignId, day, OTHER_SKIP, ttl, "any");
  }

  async days(campaignId: string, sinceDay: string): Promise<CampaignOutcomeDay[]> {
    if (!DAY.test(sinceDay)) throw new RangeError(`sinceDay: YYYY-MM-DD, got "${sinceDay}"`);
    const items = await queryAll(this.#client, {
      TableName: this.#tableName,
      KeyConditionExpression: "pk = :pk AND sk >= :since",
      ExpressionAttributeValues: { ":pk": { S: `stats#${campaignId}` }, ":since": { S: sinceDay } },
    });
    const days: CampaignOutcomeDay[] = [];
    for (const item of items) {
      const day = item.sk?.S;
      if (day === undefined || !DAY.test(day)) continue;
      const counts: Record<string, number> = {};
      for (const [name, value] of Object.entries(item)) {
        const n = Number(value.N);
        if (name.startsWith(PREFIX) && Number.isFinite(n)) counts[name.slice(PREFIX.length)] = n;
      }
      days.push({ day, counts });
    }
    return days;
  }

  /** One conditional ADD; `false` when its condition failed. */
  async #update(
    campaignId: string,
    day: string,
    key: string,
    ttl: string,
    mode: "known" | "new" | "any",
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: statsKey(campaignId, day),
          UpdateExpression:
            mode !== "new"
              ? "ADD #k :one SET #ttl = if_not_exists(#ttl, :ttl)"
              : "ADD #k :one, #keys :one SET #ttl = if_not_exists(#ttl, :ttl)",
          ...(mode === "any"
            ? {}
            : {
                ConditionExpression:
                  mode === "known"
                    ? "attribute_exists(#k)"
                    : "attribute_not_exists(#k) AND (attribute_not_exists(#keys) OR #keys < :max)",
              }),
          ExpressionAttributeNames: {
            "#k": `${PREFIX}${key}`,
            "#ttl": "ttl",
            ...(mode === "new" ? { "#keys": "keys" } : {}),
          },
          ExpressionAttributeValues: {
            ":one": { N: "1" },
            ":ttl": { N: ttl },
            ...(mode === "new" ? { ":max": { N: String(MAX_OUTCOME_KEYS) } } : {}),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw new DependencyUnavailableError(
        `UpdateItem (campaign outcomes) on ${this.#tableName} failed`,
        error,
      );
    }
  }
}
