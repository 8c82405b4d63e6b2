import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import {
  DynamoCampaignOutcomes,
  MAX_OUTCOME_KEYS,
  OUTCOME_DAYS_KEPT,
} from "#shared/aws/dynamo-campaign-outcomes.js";
import { useSegmentsTable } from "../support/segments-table.js";

const table = useSegmentsTable();

describe("DynamoCampaignOutcomes", () => {
  it("adds decisions per campaign and day and reads the days since a day, oldest first", async () => {
    const outcomes = new DynamoCampaignOutcomes({ client: table(), tableName: "segments" });
    for (const key of ["sent", "sent", "skipped:quiet hours", "holdout", "sent"]) {
      await outcomes.add("cart", "2026-03-02", key);
    }
    await outcomes.add("cart", "2026-03-01", "deferred");
    await outcomes.add("cart", "2026-02-01", "sent");
    await outcomes.add("other", "2026-03-02", "sent");

    expect(await outcomes.days("cart", "2026-03-01")).toEqual([
      { day: "2026-03-01", counts: { deferred: 1 } },
      { day: "2026-03-02", counts: { sent: 3, "skipped:quiet hours": 1, holdout: 1 } },
    ]);
    expect(await outcomes.days("none", "2026-01-01")).toEqual([]);
    const item = await table().send(
      new GetItemCommand({
        TableName: "segments",
        Key: { pk: { S: "stats#cart" }, sk: { S: "2026-03-02" } },
      }),
    );
    expect(Number(item.Item?.ttl?.N)).toBe(
      Date.parse("2026-03-02T00:00:00Z") / 1000 + OUTCOME_DAYS_KEPT * 86_400,
    );
  });

  it("bounds the distinct keys of a day: reasons past the bound count as skipped:other", async () => {
    const outcomes = new DynamoCampaignOutcomes({ client: table(), tableName: "segments" });
    for (let i = 0; i < MAX_OUTCOME_KEYS + 5; i++)
      await outcomes.add("noisy", "2026-03-02", `skipped:reason ${i}`);
    await outcomes.add("noisy", "2026-03-02", "skipped:reason 0");

    const [day] = await outcomes.days("noisy", "2026-03-02");
    const counts = day?.counts ?? {};
    expect(Object.keys(counts)).toHaveLength(MAX_OUTCOME_KEYS + 1);
    expect(counts["skipped:other"]).toBe(5);
    expect(counts["skipped:reason 0"]).toBe(2);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(MAX_OUTCOME_KEYS + 6);
  });

  it("refuses a day that is not YYYY-MM-DD, naming it", async () => {
    const outcomes = new DynamoCampaignOutcomes({ client: table(), tableName: "segments" });
    await expect(outcomes.add("cart", "2026-3-2", "sent")).rejects.toThrow(/day: YYYY-MM-DD/);
  });
});
