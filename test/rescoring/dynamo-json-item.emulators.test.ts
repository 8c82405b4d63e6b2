import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoRescoreRuns } from "#functions/rescore/make-deps.js";
import { DynamoClusterStore } from "#shared/aws/dynamo-cluster-store.js";
import { fitClusters } from "#shared/domain/clusters/index.js";
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
