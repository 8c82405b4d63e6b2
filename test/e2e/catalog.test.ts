import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#infra/local/local-stack.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { importCatalog } from "#shared/app/catalog/import-catalog.js";
import { feedProducts } from "#shared/app/catalog-feed/read-feed.js";
import { DynamoCatalog } from "#shared/aws/dynamo-catalog.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { readSentMail } from "#shared/sim/sent-mail.js";
import { tempDir } from "../local/helpers.js";
import { TestClock } from "../local/test-clock.js";
import { startTestStack } from "../local/test-stack.js";

/**
 * The catalog end to end on the local stack (issue 17): a shop's feed imported into the catalog table, a price
 * and a stock level changed by `Product Updated` events on the stream, and the next email (the coupon campaign's
 * newsletter, which recommends best sellers) shows the new price and leaves out the product out of stock.
 */

const T0 = Date.UTC(2026, 11, 7, 10);
const clock = new TestClock(T0);
const temp = tempDir("tailor-e2e-catalog-");
let stack: LocalStack;
let kinesis: KinesisClient;
let dynamodb: DynamoDBClient;
let sequence = 0;

const FEED = [
  "id,title,link,image_link,price,availability,product_type,popularity",
  "cat-lamp,Brass desk lamp,https://shop.example.com/lamp,https://shop.example.com/lamp.jpg,89.00 USD,in stock,Home > Lighting,0.99",
  "cat-kettle,Copper kettle,https://shop.example.com/kettle,https://shop.example.com/kettle.jpg,45.00 USD,in stock,Home > Kitchen,0.98",
  "cat-rug,Wool rug,https://shop.example.com/rug,https://shop.example.com/rug.jpg,120.00 USD,in stock,Home > Textiles,0.97",
].join("\n");

async function* text(value: string): AsyncGenerator<string> {
  yield value;
}

function event(body: Record<string, unknown>, at: number, key: string) {
  sequence++;
  return { ...body, messageId: `e2e-catalog-${sequence}`, timestamp: new Date(at).toISOString(), _key: key };
}

async function put(events: readonly Record<string, unknown>[]): Promise<void> {
  const out = await kinesis.send(
    new PutRecordsCommand({
      StreamName: LOCAL_NAMES.eventStream,
      Records: events.map(({ _key, ...body }) => ({
        // Product events are partitioned by the product id, so one product's events keep their order.
        PartitionKey: String(_key),
        Data: new TextEncoder().encode(JSON.stringify(body)),
      })),
    }),
  );
  expect(out.FailedRecordCount ?? 0).toBe(0);
  await stack.waitUntilIdle({ timeoutMs: 90_000 });
}

const CAMPAIGNS = { CAMPAIGNS_DIR: "test/e2e/fixtures/campaigns" };

beforeAll(async () => {
  stack = await startTestStack({ dataDir: temp.dir, clock, env: CAMPAIGNS });
  [kinesis, dynamodb] = [new KinesisClient({}), new DynamoDBClient({})];
}, 120_000);

afterAll(async () => {
  for (const client of [kinesis, dynamodb]) client?.destroy();
  await stack?.stop();
  temp.remove();
});

describe("the catalog on the local stack", () => {
  it("imports a feed, takes a price and a stock level from product events, and the next email shows them", async () => {
    // GIVEN the shop's feed imported over the seeded demo catalog (which it retires: it left the feed)
    const store = new DynamoCatalog({ client: dynamodb, tableName: LOCAL_NAMES.catalogTable });
    const report = await importCatalog({ store, clock }, feedProducts(text(FEED), "csv"), {
      maxRetireShare: 1,
    });
    expect(report).toMatchObject({ read: 3, new: 3, errors: 0 });
    expect(report.retired).toBeGreaterThan(0);

    // WHEN the lamp's price drops and the kettle sells out, by events on the stream
    clock.at = T0 + 60_000;
    await put([
      event(
        {
          type: "track",
          event: "Product Updated",
          anonymousId: "shop-backend",
          properties: { product_id: "cat-lamp", price: 64.5, currency: "USD" },
        },
        T0 + 60_000,
        "cat-lamp",
      ),
      event(
        {
          type: "track",
          event: "Product Updated",
          anonymousId: "shop-backend",
          properties: { product_id: "cat-kettle", stock: 0 },
        },
        T0 + 60_000,
        "cat-kettle",
      ),
    ]);
    const stored = await store.getStored(["cat-lamp", "cat-kettle"]);
    expect(stored.get("cat-lamp")?.product).toMatchObject({ price: 64.5, inStock: true });
    expect(stored.get("cat-kettle")?.product).toMatchObject({ stock: 0, inStock: false });

    // AND a customer asks for the coupon email (the newsletter, recommending best sellers)
    clock.at = T0 + 2 * 60_000;
    const customer = "e2e-catalog-ada";
    await put([
      event(
        {
          type: "identify",
          userId: customer,
          traits: { email: `${customer}@example.com`, first_name: "Ada" },
        },
        T0 + 90_000,
        customer,
      ),
      event(
        {
          type: "track",
          event: "Consent Updated",
          userId: customer,
          properties: { purpose: "marketing_email", granted: true },
        },
        T0 + 90_000,
        customer,
      ),
      event(
        { type: "track", event: "Coupon Requested", userId: customer, properties: {} },
        T0 + 2 * 60_000,
        customer,
      ),
    ]);

    // THEN the email recommends the lamp at its new price and the rug, never the kettle (out of stock)
    const mail = (await readSentMail(stack.endpoints.sesv2)).filter((m) =>
      m.to.some((to) => to.includes(customer)),
    );
    expect(mail).toHaveLength(1);
    const html = mail[0]?.html ?? "";
    expect(html).toContain("Brass desk lamp");
    expect(html).toContain("64.50");
    expect(html).not.toContain("89.00");
    expect(html).toContain("Wool rug");
    expect(html).not.toContain("Copper kettle");
    // No profile was made of the id that sent the product events.
    const profiles = new DynamoProfileStore({ client: dynamodb, tableName: LOCAL_NAMES.profileTable });
    expect(await profiles.get("shop-backend")).toBeUndefined();
  }, 180_000);
});
