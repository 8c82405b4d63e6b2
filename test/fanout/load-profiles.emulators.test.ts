import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadProfiles } from "#bench/support/load-profiles.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { createTable, startDynalite } from "#test/support/dynamo-table.js";

describe("the scale benchmark's profile loader (dynalite)", () => {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  beforeAll(async () => {
    dynamo = await startDynalite();
  }, 30_000);
  afterAll(async () => dynamo.stop());

  it("writes every profile once, as the profile store reads them, in their segments", async () => {
    const tableName = await createTable(dynamo.client, "profiles", "pk");
    const progress: number[] = [];

    const loaded = await loadProfiles({
      client: dynamo.client,
      tableName,
      count: 1_010,
      segmentsOf: (i) => (i % 10 === 0 ? ["high-engagement"] : []),
      staticSegments: ["vip-list"],
      concurrency: 8,
      onProgress: (n) => progress.push(n),
    });
    const store = new DynamoProfileStore({ client: dynamo.client, tableName });
    const ids = new Set<string>();
    let inSegment = 0;
    for await (const { profile } of store.scan({ segment: 0, totalSegments: 1 })) {
      ids.add(profile.customerId);
      if (profile.sg?.["high-engagement"] !== undefined) inSegment++;
      expect(profile.ss).toEqual(["vip-list"]);
    }

    expect(loaded.written).toBe(1_010);
    expect(ids.size).toBe(1_010);
    expect(inSegment).toBe(101);
    expect(loaded.medianItemBytes).toBeGreaterThan(700);
    expect(progress).toEqual([]);
  });
});
