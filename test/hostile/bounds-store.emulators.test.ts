import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { decodeEvent, type TailorEvent } from "#shared/domain/events/index.js";
import { foldEvents } from "#shared/domain/profile/index.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";
import { NOW } from "./hostile-batch.js";

let dynamodb: DynamoDBClient;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ client: dynamodb, stop } = await startDynalite());
});

afterAll(async () => {
  await stop();
});

const encoder = new TextEncoder();

function event(text: string): TailorEvent {
  const decoded = decodeEvent(encoder.encode(text), NOW);
  if (!decoded.ok) throw new Error(decoded.error.message);
  return decoded.event;
}

const envelope = (n: number, timestamp = NOW - 60_000) =>
  `"messageId":"m-${n}","userId":"hostile-1","timestamp":${timestamp}`;

describe("the filed hostile events, written by the real profile store", () => {
  it("writes and reads back the profile: exact big ids, revenue at the ceiling, campaign constructor, clamped time", async () => {
    // GIVEN every case issue 13 filed, in one customer's batch
    const events = [
      event(
        `{"type":"identify",${envelope(1)},"traits":{"loyalty_id":12345678901234567890,"ratio":1e-7,"small":-0.5}}`,
      ),
      ...Array.from({ length: 10 }, (_, n) =>
        event(
          `{"type":"track","event":"Order Completed",${envelope(10 + n)},"properties":{"order_id":"o-${n}","total":1e12,"currency":"KWD"}}`,
        ),
      ),
      event(
        `{"type":"track","event":"Email Delivered",${envelope(30)},"properties":{"message_id":"ses-1","campaign_id":"constructor","variant":"b"}}`,
      ),
      event(
        `{"type":"track","event":"Product Added",${envelope(31, NOW + 23 * 3_600_000)},"properties":{"product_id":"p","price":1e9,"quantity":1000}}`,
      ),
    ];
    const { profile } = foldEvents(undefined, "hostile-1", events, NOW);
    const store = new DynamoProfileStore({
      client: dynamodb,
      tableName: await createTable(dynamodb, "profiles", "pk"),
    });

    // WHEN the store writes it and reads it back
    const outcome = await store.put(profile, undefined);
    const stored = await store.get("hostile-1");

    // THEN it is the same profile, every number exact
    expect(outcome).toMatchObject({ ok: true });
    expect(stored?.profile).toEqual({ ...profile, version: 1 });
    expect(stored?.profile.t?.x).toEqual({ loyalty_id: "12345678901234567890", ratio: 1e-7, small: -0.5 });
    expect(stored?.profile.o).toMatchObject({ n: 10, r: 9e15, rs: true });
    expect(stored?.profile.xa).toEqual({ "~constructor": ["b", NOW - 60_000] });
    expect(stored?.profile.sk).toEqual({ n: 1, ms: 23 * 3_600_000, at: NOW });
    expect(stored?.profile.ct?.i).toEqual([{ p: "p", q: 1000, m: 1e11 }]);
  });
});
