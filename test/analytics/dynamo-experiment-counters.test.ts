import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoExperimentCounters } from "../../shared/aws/dynamo-experiment-counters.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";

let dynamodb: DynamoDBClient;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ client: dynamodb, stop } = await startDynalite());
  await createTable(dynamodb, "segments", "pk", "sk");
});

afterAll(async () => {
  await stop?.();
});

describe("DynamoExperimentCounters", () => {
  it("sums increments over calls and shards, per campaign, arm and segment, and keeps campaigns apart", async () => {
    const counters = new DynamoExperimentCounters({ client: dynamodb, tableName: "segments", shards: 4 });
    let writes = 0;
    for (let i = 0; i < 20; i++) {
      writes += await counters.add([
        { campaignId: "cart", arm: "a", segment: "active", metric: "sent", amount: 1 },
        { campaignId: "cart", arm: "a", segment: "active", metric: "sent", amount: 1 },
        { campaignId: "cart", arm: "a", segment: "lapsed", metric: "sent", amount: 1 },
        { campaignId: "cart", arm: "b", segment: "active", metric: "revenue", amount: 1250 },
        { campaignId: "other", arm: "a", segment: "active", metric: "clicked", amount: 1 },
      ]);
    }

    expect(writes).toBe(80); // four counters per call: the two active `sent` of arm a summed first
    expect(await counters.totals("cart")).toEqual([
      { campaignId: "cart", arm: "a", segment: "active", counts: { sent: 40 } },
      { campaignId: "cart", arm: "a", segment: "lapsed", counts: { sent: 20 } },
      { campaignId: "cart", arm: "b", segment: "active", counts: { revenue: 25_000 } },
    ]);
    expect(await counters.totals("other")).toEqual([
      { campaignId: "other", arm: "a", segment: "active", counts: { clicked: 20 } },
    ]);
    expect(await counters.totals("none")).toEqual([]);
  });
});
