import { type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoOpenHourPriorStore } from "#shared/aws/dynamo-open-hour-prior-store.js";
import { DynamoSegmentStore } from "#shared/aws/dynamo-segment-store.js";
import { addOpenHours, emptyOpenHourTotals, learnOpenHourPrior } from "#shared/domain/campaigns/index.js";
import { DependencyUnavailableError } from "#shared/errors.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";

const T0 = Date.parse("2026-12-06T02:00:00Z");

describe("DynamoOpenHourPriorStore on dynalite", () => {
  let dynamo: { client: DynamoDBClient; stop: () => Promise<void> };
  let store: DynamoOpenHourPriorStore;

  beforeAll(async () => {
    dynamo = await startDynalite();
    await createTable(dynamo.client, "segments", "pk", "sk");
    store = new DynamoOpenHourPriorStore({ client: dynamo.client, tableName: "segments" });
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  it("has none before a run, then round-trips the prior a run stores, the latest replacing the former", async () => {
    expect(await store.get()).toBeUndefined();
    const first = learnOpenHourPrior(
      addOpenHours(emptyOpenHourTotals(T0), [{ t: T0, h: { "9": 40, "19": 80 } }]),
      T0,
    );
    await store.put(first);
    expect(await store.get()).toEqual(first);
    const second = learnOpenHourPrior(
      addOpenHours(emptyOpenHourTotals(T0 + 86_400_000), [{ t: T0, h: { "12": 7 } }]),
      T0 + 86_400_000,
    );
    await store.put(second);
    expect(await store.get()).toEqual(second);
  });

  it("lives beside the RFM thresholds without touching them", async () => {
    const segments = new DynamoSegmentStore({ client: dynamo.client, tableName: "segments" });
    await segments.putRfmThresholds({
      recencyDays: [1, 2, 3, 4],
      frequency: [1, 1, 2, 3],
      monetary: [10, 20, 30, 40],
      computedAt: T0,
      population: 9,
    });
    const before = await store.get();
    expect(before).toBeDefined();
    expect((await segments.rfmThresholds())?.population).toBe(9);
    expect(await store.get()).toEqual(before);
  });

  it("refuses an unreadable item, naming the table", async () => {
    await dynamo.client.send(
      new PutItemCommand({
        TableName: "segments",
        Item: { pk: { S: "open-hours" }, sk: { S: "prior" }, json: { S: '{"prior":[1]}' } },
      }),
    );
    await expect(store.get()).rejects.toThrow(DependencyUnavailableError);
    await expect(store.get()).rejects.toThrow(/segments holds an unreadable open-hour prior/);
  });
});
