import { createHash } from "node:crypto";
import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  QueryCommand,
} from "@aws-sdk/client-dynamodb";
import {
  type ExperimentIncrement,
  type ExperimentMetric,
  isExperimentMetric,
} from "../domain/analytics/index.js";
import { DependencyUnavailableError } from "../errors.js";
import type { ExperimentArmTotals, ExperimentCounters } from "../ports.js";

/** The sort key of one flush: a hash, so the table holds no customer id. */
const flushKey = (flushId: string): string =>
  `f#${createHash("sha256").update(flushId, "utf8").digest("base64url").slice(0, 32)}`;

const countKey = (arm: string, segment: string, metric: ExperimentMetric): string =>
  JSON.stringify([arm, segment, metric]);

function readCountKey(key: string): { arm: string; segment: string; metric: ExperimentMetric } | undefined {
  let value: unknown;
  try {
    value = JSON.parse(key);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 3) return undefined;
  const [arm, segment, metric]: unknown[] = value;
  if (typeof arm !== "string" || typeof segment !== "string" || typeof metric !== "string") return undefined;
  return isExperimentMetric(metric) ? { arm, segment, metric } : undefined;
}

/**
 * Experiment counters in the segment bookkeeping table (partition `pk`, sort `sk`) as a log of flushes:
 * `pk = exp#<campaignId>`, `sk = f#<hash of the flush id>`, and `c`, a map from `[arm, segment, metric]` to the
 * flush's sum. An `add` is one PutItem per campaign, keyed by the flush: adding the same flush again rewrites the
 * same item, so a retried or redelivered flush counts once (an `ADD` to a shared counter could not tell). `totals`
 * is one Query per campaign, summing its flushes: its reads grow with the campaign's engagement events (about 60
 * flushes per 4 KB read unit).
 */
export class DynamoExperimentCounters implements ExperimentCounters {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async add(flushId: string, increments: readonly ExperimentIncrement[]): Promise<number> {
    const byCampaign = new Map<string, Map<string, number>>();
    for (const { campaignId, arm, segment, metric, amount } of increments) {
      const sums = byCampaign.get(campaignId) ?? new Map<string, number>();
      const key = countKey(arm, segment, metric);
      sums.set(key, (sums.get(key) ?? 0) + amount);
      byCampaign.set(campaignId, sums);
    }
    const writes = [...byCampaign.entries()].filter(([, sums]) => [...sums.values()].some((n) => n !== 0));
    await Promise.all(
      writes.map(([campaignId, sums]) =>
        this.#client
          .send(
            new PutItemCommand({
              TableName: this.#tableName,
              Item: {
                pk: { S: `exp#${campaignId}` },
                sk: { S: flushKey(flushId) },
                c: { M: Object.fromEntries([...sums].map(([key, n]) => [key, { N: String(n) }])) },
              },
            }),
          )
          .catch((error: unknown) => {
            throw new DependencyUnavailableError(`PutItem on ${this.#tableName} failed`, error);
          }),
      ),
    );
    return writes.length;
  }

  async totals(campaignId: string): Promise<ExperimentArmTotals[]> {
    const arms = new Map<
      string,
      { arm: string; segment: string; counts: Partial<Record<ExperimentMetric, number>> }
    >();
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.#client
        .send(
          new QueryCommand({
            TableName: this.#tableName,
            KeyConditionExpression: "pk = :pk",
            ExpressionAttributeValues: { ":pk": { S: `exp#${campaignId}` } },
            ExclusiveStartKey: start,
          }),
        )
        .catch((error: unknown) => {
          throw new DependencyUnavailableError(`Query on ${this.#tableName} failed`, error);
        });
      for (const item of out.Items ?? []) {
        for (const [key, value] of Object.entries(item.c?.M ?? {})) {
          const read = readCountKey(key);
          if (read === undefined) continue;
          const armKey = JSON.stringify([read.arm, read.segment]);
          const found = arms.get(armKey) ?? { arm: read.arm, segment: read.segment, counts: {} };
          found.counts[read.metric] = (found.counts[read.metric] ?? 0) + Number(value.N ?? 0);
          arms.set(armKey, found);
        }
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return [...arms.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([, { arm, segment, counts }]) => ({ campaignId, arm, segment, counts }));
  }
}
