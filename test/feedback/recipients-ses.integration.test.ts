import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulators, startEmulators } from "#infra/local/emulators.js";
import { sesFeedbackToEvents } from "#shared/app/ses-feedback.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { SesV2Mailer } from "#shared/aws/sesv2-mailer.js";
import { decodeEvent } from "#shared/domain/events/index.js";
import { buildCatalog } from "#shared/sim/catalog.js";
import { SimulatedRecipients } from "#shared/sim/recipients.js";
import { readSentMail } from "#shared/sim/sent-mail.js";
import { tempDir } from "../local/helpers.js";
import { campaignHtml, PREFERENCES, UNSUBSCRIBE } from "./recipient-helpers.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };
const data = tempDir("tailor-feedback-");
const SENT_AT = Date.parse("2026-11-20T10:00:00Z");
const catalog = buildCatalog(3);
const product = catalog.find((p) => p.inStock);

let emulators: Emulators;
let ledger: DynamoSendLedger;

beforeAll(async () => {
  emulators = await startEmulators({
    dataDir: data.dir,
    fresh: true,
    ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0 },
    setEnv: false,
  });
  const dynamodb = new DynamoDBClient({
    region: "us-east-1",
    credentials,
    endpoint: emulators.endpoints.dynamodb,
  });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: "tailor-send-ledger",
      KeySchema: [
        { AttributeName: "customerId", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      AttributeDefinitions: [
        { AttributeName: "customerId", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  while (
    (await dynamodb.send(new DescribeTableCommand({ TableName: "tailor-send-ledger" }))).Table
      ?.TableStatus !== "ACTIVE"
  ) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  ledger = new DynamoSendLedger({ client: dynamodb, tableName: "tailor-send-ledger" });
});

afterAll(async () => {
  await emulators?.stop();
  data.remove();
});

describe("the simulated recipients read the SES emulator's mail", () => {
  it("a mail sent with SesV2Mailer is read back, attributed through the ledger and played", async () => {
    if (product === undefined) throw new Error("no product in stock");
    const mailer = new SesV2Mailer({
      client: new SESv2Client({
        region: "us-east-1",
        credentials,
        endpoint: emulators.endpoints.sesv2,
        maxAttempts: 1,
      }),
      fromAddress: "Shop <news@shop.example>",
      configurationSetName: "tailor",
    });
    const { messageId } = await mailer.send({
      to: "ada.lovelace.1@example.com",
      content: {
        subject: "You left something behind",
        html: campaignHtml(product),
        text: "You left something behind",
        headers: {
          "List-Unsubscribe": `<${UNSUBSCRIBE}>`,
          "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
      },
      sendKey: "cart_abandonment#c-000001#1",
      customerId: "c-000001",
      campaignId: "cart_abandonment",
      variant: "b",
    });
    await ledger.record({
      key: "cart_abandonment#c-000001#1",
      customerId: "c-000001",
      campaignId: "cart_abandonment",
      purpose: "marketing",
      priority: 50,
      at: SENT_AT,
      outcome: "sent",
      variant: "b",
      messageId,
    });

    const mail = await readSentMail(emulators.endpoints.sesv2);
    const stored = mail.find((m) => m.messageId === messageId);
    expect(stored).toMatchObject({
      to: ["ada.lovelace.1@example.com"],
      subject: "You left something behind",
    });
    expect(stored?.html).toContain(product.url);
    expect(stored?.headers).toContainEqual({ name: "List-Unsubscribe", value: `<${UNSUBSCRIBE}>` });

    const recipients = new SimulatedRecipients({
      customers: [
        {
          id: "c-000001",
          persona: "loyal",
          emailEngagement: 1,
          traits: { email: " Ada.Lovelace.1@Example.com " },
        },
      ],
      catalog,
      ledger,
      seed: 11,
      rates: { permanentBounce: 0, complaint: 0 },
    });
    const { sesEvents, shopEvents, skipped } = await recipients.play(mail, SENT_AT + 86_400_000);
    expect(skipped).toEqual([]);
    expect(sesEvents.slice(0, 2).map((e) => e["detail-type"])).toEqual(["Email Delivered", "Email Opened"]);
    for (const event of sesEvents) {
      expect(event.detail.mail.messageId).toBe(messageId);
      const click = event.detail.click;
      if (click !== undefined) expect([UNSUBSCRIBE, PREFERENCES]).not.toContain(click.link);
      const mapping = sesFeedbackToEvents(event);
      if (!mapping.ok) throw new Error(mapping.message);
      expect(mapping.event).toMatchObject({
        userId: "c-000001",
        properties: { campaign_id: "cart_abandonment", variant: "b" },
      });
      expect(
        decodeEvent(new TextEncoder().encode(JSON.stringify(mapping.event)), SENT_AT + 86_400_000).ok,
      ).toBe(true);
    }
    for (const record of shopEvents) expect(record.partitionKey).toBe("c-000001");
  });
});
