import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countProfiles } from "#cli/stack-counts.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { emptyProfile } from "#shared/domain/profile/index.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";

let dynamodb: DynamoDBClient;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ client: dynamodb, stop } = await startDynalite());
  await createTable(dynamodb, "profiles", "pk");
});

afterAll(async () => {
  await stop?.();
});

describe("countProfiles", () => {
  it("counts profiles and leaves erased customers' tombstones out", async () => {
    const store = new DynamoProfileStore({ client: dynamodb, tableName: "profiles" });
    const now = Date.UTC(2026, 11, 1);
    for (const id of ["c-1", "c-2", "c-3"]) await store.put(emptyProfile(id, now), undefined);
    await store.erase("c-2", now, "erased");
    await store.erase("never-seen", now, "blocked");

    expect(await countProfiles(dynamodb, "profiles")).toBe(2);
  });
});
