import {
  type AttributeValue,
  type DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import type { ExperimentIncrement, ExperimentMetric } from "../domain/analytics/index.js";
import { DependencyUnavailableError } from "../errors.js";
import type { ExperimentArmTotals, ExperimentCounters } from "../ports.js";

const METRICS: ReadonlySet<string> = new Set<ExperimentMetric>([
  "sent",
  "delivered",
  "opened",
  "clicked",
  "bounced",
  "complained",
  "converted",
  "revenue",
]);
const isMetric = (value: string): value is ExperimentMetric => METRICS.has(value);

/**
 * Experiment counters in the segment bookkeeping table (partition `pk`, sort `sk`): `pk = exp#<campaignId>`,
 * `sk = <arm>#<segment>#<metric>#<shard>`, `n` added to atomically. Each `add` picks one shard at random for its writes, so a
 * busy campaign spreads over `shards` items; `totals` is one Query per campaign.
 */
export class DynamoExperimentCounters implements ExperimentCounters {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  readonly #shards: number;

  constructor(options: { client: DynamoDBClient; tableName: string; shards?: number }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#shards = options.shards ?? 8;
  }

  async add(increments: readonly ExperimentIncrement[]): Promise<number> {
    const sums = new Map<string, { campaignId: string; sk: string; amount: number }>();
    const shard = Math.floor(Math.random() * this.#shards);
    for (const { campaignId, arm, segment, metric, amount } of increments) {
      const sk = `${arm}#${segment}#${metric}#${shard}`;
      const key = `${campaignId}\u0000${sk}`;
      const sum = sums.get(key) ?? { campaignId, sk, amount: 0 };
      sum.amount += amount;
      sums.set(key, sum);
    }
    const writes = [...sums.values()].filter((sum) => sum.amount !== 0);
    await Promise.all(
      writes.map(({ campaignId, sk, amount }) =>
        this.#client
          .send(
            new UpdateItemCommand({
              TableName: this.#tableName,
              Key: { pk: { S: `exp#${campaignId}` }, sk: { S: sk } },
              UpdateExpression: "ADD n :amount",
              ExpressionAttributeValues: { ":amount": { N: String(amount) } },
            }),
          )
          .catch((error: unknown) => {
            throw new DependencyUnavailableError(`UpdateItem on ${this.#tableName} failed`, error);
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
        const [arm, segment, metric] = (item.sk?.S ?? "").split("#");
        if (arm === undefined || segment === undefined || metric === undefined || !isMetric(metric)) continue;
        const key = JSON.stringify([arm, segment]);
        const found = arms.get(key) ?? { arm, segment, counts: {} };
        found.counts[metric] = (found.counts[metric] ?? 0) + Number(item.n?.N ?? 0);
        arms.set(key, found);
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return [...arms.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([, { arm, segment, counts }]) => ({ campaignId, arm, segment, counts }));
  }
}
