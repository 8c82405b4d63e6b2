import { type DynamoDBClient, ScanCommand } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoLedgerErasure } from "#shared/aws/dynamo-erasure.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { DynamoShortLinks } from "#shared/aws/dynamo-short-links.js";
import type { ShortLink } from "#shared/domain/sms/short-links.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";

const T0 = Date.parse("2026-12-07T04:00:00Z");
const link = (id: string, customerId = "c-1"): ShortLink => ({
  id,
  target: `https://shop.example.com/p/${id}?utm_source=sms`,
  customerId,
  campaignId: "price-drop",
  variant: "a",
  sendKey: `price-drop#${customerId}#o-1#0`,
  expiresAt: T0 + 86_400_000,
});

describe("short links in the ledger table, on dynalite", () => {
  let dynamo: { client: DynamoDBClient; stop: () => Promise<void> };
  beforeAll(async () => {
    dynamo = await startDynalite();
    await createTable(dynamo.client, "ledger", "customerId", "sk");
  });
  afterAll(async () => {
    await dynamo.stop();
  });

  it("round-trips a link until it expires; an unknown id is none", async () => {
    const store = new DynamoShortLinks({ client: dynamo.client, tableName: "ledger" });
    await store.put([link("AAAAAAAAAAAA"), link("BBBBBBBBBBBB")]);
    expect(await store.get("AAAAAAAAAAAA", T0)).toEqual(link("AAAAAAAAAAAA"));
    expect(await store.get("AAAAAAAAAAAA", T0 + 86_400_001)).toBeUndefined();
    expect(await store.get("CCCCCCCCCCCC", T0)).toBeUndefined();
  });

  it("erasing the customer erases the links their texts' ledger entries name, and nobody else's", async () => {
    const store = new DynamoShortLinks({ client: dynamo.client, tableName: "ledger" });
    const ledger = new DynamoSendLedger({ client: dynamo.client, tableName: "ledger" });
    await store.put([link("DDDDDDDDDDDD", "c-2"), link("EEEEEEEEEEEE", "c-3")]);
    await ledger.record({
      key: "price-drop#c-2#o-1#0",
      customerId: "c-2",
      campaignId: "price-drop",
      purpose: "marketing",
      priority: 0,
      at: T0,
      outcome: "sent",
      channel: "sms",
      linkIds: ["DDDDDDDDDDDD"],
    });
    expect((await ledger.recent("c-2", 0))[0]?.linkIds).toEqual(["DDDDDDDDDDDD"]);

    await new DynamoLedgerErasure({ client: dynamo.client, tableName: "ledger" }).erase("c-2");

    expect(await store.get("DDDDDDDDDDDD", T0)).toBeUndefined();
    expect(await store.get("EEEEEEEEEEEE", T0)).toBeDefined();
    const left = await dynamo.client.send(new ScanCommand({ TableName: "ledger" }));
    expect(JSON.stringify(left.Items)).not.toContain("c-2");
  });
});
