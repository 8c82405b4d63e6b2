import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tallyIdentities } from "#cli/identity-summary.js";
import { countProfiles, identityItems } from "#cli/stack-counts.js";
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

describe("identityItems", () => {
  it("reads the merged and refused links of the stored profiles, leaving plain profiles and tombstones out", async () => {
    // Prepare: a customer with two merged ids, one with a refused link, a plain one, an erased one with links
    await createTable(dynamodb, "identity-profiles", "pk");
    const store = new DynamoProfileStore({ client: dynamodb, tableName: "identity-profiles" });
    const now = Date.UTC(2026, 11, 6);
    const link = (i: string, h: "identify" | "email") => ({ i, h, at: now, m: `m-${i}`, v: 0 });
    await store.put(
      { ...emptyProfile("c-1", now), im: [link("a-1", "identify"), link("a-2", "email")] },
      undefined,
    );
    await store.put(
      { ...emptyProfile("c-2", now), ix: [{ r: "taken", i: "a-1", o: "c-1", at: now, m: "m-9" }] },
      undefined,
    );
    await store.put(emptyProfile("c-3", now), undefined);
    await store.put({ ...emptyProfile("c-4", now), im: [link("a-4", "identify")] }, undefined);
    await store.erase("c-4", now, "erased");

    // Act
    const items = await identityItems(dynamodb, "identity-profiles");

    // Assess
    expect(items).toHaveLength(2);
    const tally = tallyIdentities(items);
    expect(tally).toMatchObject({ merged: 2, customers: 1, refused: 1, unreadable: 0 });
    expect(tally.byKind).toEqual({ identify: 1, alias: 0, email: 1 });
    expect(tally.byReason).toEqual({ known: 0, taken: 1, limit: 0 });
  });
});
