import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoExperimentCounters } from "#shared/aws/dynamo-experiment-counters.js";
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
  it("sums increments over flushes, per campaign, arm and segment, and keeps campaigns apart", async () => {
    const counters = new DynamoExperimentCounters({ client: dynamodb, tableName: "segments" });
    let writes = 0;
    for (let i = 0; i < 20; i++) {
      writes += await counters.add(`c-${i}#1`, [
        { campaignId: "cart", arm: "a", segment: "active", metric: "sent", amount: 1 },
        { campaignId: "cart", arm: "a", segment: "active", metric: "sent", amount: 1 },
        { campaignId: "cart", arm: "a", segment: "lapsed", metric: "sent", amount: 1 },
        { campaignId: "cart", arm: "b", segment: "active", metric: "revenue", amount: 1250 },
        { campaignId: "other", arm: "a", segment: "active", metric: "clicked", amount: 1 },
      ]);
    }

    expect(writes).toBe(40); // one item per campaign and flush
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

  it("counts a flush once however often it is added (a retried or redelivered flush)", async () => {
    const counters = new DynamoExperimentCounters({ client: dynamodb, tableName: "segments" });
    const increments = [
      { campaignId: "retry", arm: "a", segment: "active", metric: "opened" as const, amount: 1 },
      { campaignId: "retry", arm: "a", segment: "active", metric: "revenue" as const, amount: 999 },
    ];
    await counters.add("c-1#7", increments);
    await counters.add("c-1#7", increments);
    await counters.add("c-1#8", increments.slice(0, 1));

    expect(await counters.totals("retry")).toEqual([
      { campaignId: "retry", arm: "a", segment: "active", counts: { opened: 2, revenue: 999 } },
    ]);
  });

  it("keeps no customer id in the table (flushes are named by hash)", async () => {
    const counters = new DynamoExperimentCounters({ client: dynamodb, tableName: "segments" });
    await counters.add("alice@example.com#3", [
      { campaignId: "private", arm: "a", segment: "active", metric: "opened", amount: 1 },
    ]);
    const { ScanCommand } = await import("@aws-sdk/client-dynamodb");
    const out = await dynamodb.send(new ScanCommand({ TableName: "segments" }));
    expect(JSON.stringify(out.Items)).not.toContain("alice");
  });
});
