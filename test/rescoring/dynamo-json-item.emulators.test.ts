import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoRescoreRuns, DynamoRescoreSliceSummaries } from "#functions/rescore/make-deps.js";
import { FEATURE_BINS } from "#shared/app/rescoring/feature-drift.js";
import type { RescoreSummary } from "#shared/app/rescoring/index.js";
import { DynamoClusterStore } from "#shared/aws/dynamo-cluster-store.js";
import { fitClusters } from "#shared/domain/clusters/index.js";
import { FEATURE_NAMES } from "#shared/domain/features/index.js";
import { DependencyUnavailableError } from "#shared/errors.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";

let client: DynamoDBClient;
let stop: () => Promise<void>;
const tableName = "segments";

beforeAll(async () => {
  ({ client, stop } = await startDynalite());
  await createTable(client, tableName, "pk", "sk");
});
afterAll(() => stop());

describe("the segments table's JSON documents, on dynalite", () => {
  it("stores the cluster model and the last run side by side, and reads each back as it was", async () => {
    const clusters = new DynamoClusterStore({ client, tableName });
    const runs = new DynamoRescoreRuns({ client, tableName });
    expect(await clusters.current()).toBeUndefined();
    const rows = Array.from({ length: 30 }, (_, i) => [i % 3, i % 5, i, 1, 0.5, 0.1]);
    const stored = { model: fitClusters(rows, { k: 3 }), fittedAt: 1, population: 30, sampled: 30 };

    await clusters.put(stored);
    await runs.putLastRun({ startedAt: 1, finishedAt: 2, histograms: { purchase_30d: [1, 2, 3] } });

    expect(await clusters.current()).toEqual(stored);
    expect(await runs.lastRun()).toEqual({
      startedAt: 1,
      finishedAt: 2,
      histograms: { purchase_30d: [1, 2, 3] },
    });
  });

  it("refuses an unreadable document instead of taking it for none", async () => {
    const clusters = new DynamoClusterStore({ client, tableName });
    for (const json of ["{not json", JSON.stringify({ model: { version: 2 }, fittedAt: 1 })]) {
      await client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { pk: { S: "clusters" }, sk: { S: "current" }, json: { S: json } },
        }),
      );
      await expect(clusters.current()).rejects.toThrow(DependencyUnavailableError);
      await expect(clusters.current()).rejects.toThrow(/unreadable cluster model/);
    }
  });
});

/** A slice's summary as big as a real one: every model input's histogram, counts in the thousands. */
function sliceSummary(segment: number): RescoreSummary {
  return {
    profiles: 1000 + segment,
    skippedNoConsent: 1,
    scored: 999 + segment,
    unscored: 0,
    clustered: 999,
    clusters: [200, 300, 499],
    profilesWritten: 999,
    transitions: segment,
    transitionsPublished: segment,
    timerWrites: 0,
    counterWrites: 0,
    conflicts: 0,
    histograms: { purchase_30d: Array.from({ length: 10 }, (_, i) => 100 * i + segment) },
    features: Object.fromEntries(
      FEATURE_NAMES.map((name, f) => [
        name,
        Array.from({ length: FEATURE_BINS }, (_, i) => (i * f + segment) % 9973),
      ]),
    ),
    tiers: { purchase_30d: { high: 100, medium: 200, low: 699 + segment } },
    calibration: {},
    errors: [],
  };
}

describe("each rescoring slice's kept summary, on dynalite", () => {
  it("keeps every slice of a run, pages through them, replaces a retried slice's, and expires them", async () => {
    const kept = new DynamoRescoreSliceSummaries({ client, tableName });
    const run = Date.UTC(2026, 11, 7, 3);
    // 300 summaries of several KB each: more than one 1 MB page of the Query.
    const segments = Array.from({ length: 300 }, (_, i) => i);
    for (let i = 0; i < segments.length; i += 25)
      await Promise.all(
        segments.slice(i, i + 25).map((segment) => kept.put(run, segment, sliceSummary(segment))),
      );
    await kept.put(run + 1, 0, sliceSummary(7));
    // Slice 5 retried: its second summary replaces the first.
    await kept.put(run, 5, { ...sliceSummary(5), errors: ["retried"] });

    const all = await kept.all(run);

    expect(all.size).toBe(300);
    expect(all.get(299)).toEqual(sliceSummary(299));
    expect(all.get(0)).toEqual(sliceSummary(0));
    expect(all.get(5)?.errors).toEqual(["retried"]);
    expect((await kept.all(run + 1)).get(0)).toEqual(sliceSummary(7));
    expect((await kept.all(run + 2)).size).toBe(0);
    const item = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: { pk: { S: `rescore-run#${run}` }, sk: { S: "slice#00005" } },
      }),
    );
    expect(Number(item.Item?.ttl?.N)).toBe(Math.floor(run / 1000) + 14 * 86_400);
    expect(JSON.stringify(all.get(1)).length).toBeGreaterThan(4000);
  });

  it("refuses an unreadable summary instead of leaving the slice out", async () => {
    const kept = new DynamoRescoreSliceSummaries({ client, tableName });
    const run = Date.UTC(2026, 11, 8, 3);
    await kept.put(run, 0, sliceSummary(0));
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: {
          pk: { S: `rescore-run#${run}` },
          sk: { S: "slice#00001" },
          segment: { N: "1" },
          json: { S: '{"profiles": -1}' },
        },
      }),
    );
    await expect(kept.all(run)).rejects.toThrow(DependencyUnavailableError);
    await expect(kept.all(run)).rejects.toThrow(/unreadable rescoring slice summary \(slice#00001\)/);
  });
});
