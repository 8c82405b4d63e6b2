import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulators, startEmulators } from "#infra/local/emulators.js";
import type { AcceptedSesSend } from "#infra/local/ses-front.js";
import { recordSesFeedback } from "#shared/app/ses-feedback.js";
import { DynamoSendLedger } from "#shared/aws/dynamo-send-ledger.js";
import { SesV2Mailer } from "#shared/aws/sesv2-mailer.js";
import { sendRefOf } from "#shared/domain/email-feedback/ses-tags.js";
import type { EventRecord, EventWriteOutcome, EventWriter } from "#shared/ports.js";
import { sesSendEventFor } from "#shared/sim/ses-events.js";
import { createTable } from "../support/dynamo-table.js";
import { tempDir } from "./helpers.js";

/**
 * The SES emulator publishes no events and drops message tags: the local stack's SES endpoint is a front that
 * sees each accepted `SendEmail` with its tags, so the stack can publish the `Send` event SES would, and the
 * feedback path records it in the ledger as on AWS.
 */
const data = tempDir("tailor-ses-front-");
const credentials = { accessKeyId: "x", secretAccessKey: "x" };
const KEY = "welcome#c.42@shop#signup#0";
let emulators: Emulators;

class NullWriter implements EventWriter {
  async put(records: readonly EventRecord[]): Promise<EventWriteOutcome> {
    return { accepted: records.length, rejected: [] };
  }
}

beforeAll(async () => {
  emulators = await startEmulators({
    dataDir: data.dir,
    ports: { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0 },
    setEnv: false,
  });
});
afterAll(async () => {
  await emulators?.stop();
  data.remove();
});

describe("the local SES endpoint", () => {
  it("reports each accepted email with its tags; its Send event is recorded in the ledger by send key", async () => {
    // Prepare
    const seen: AcceptedSesSend[] = [];
    const stop = emulators.onSesAccepted((send) => seen.push(send));
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
    const dynamodb = new DynamoDBClient({
      region: "us-east-1",
      credentials,
      endpoint: emulators.endpoints.dynamodb,
    });
    const ledger = new DynamoSendLedger({
      client: dynamodb,
      tableName: await createTable(dynamodb, "ledger-front", "customerId", "sk"),
    });

    // Act
    const receipt = await mailer.send({
      to: "ada@example.com",
      content: { subject: "Welcome", html: "<p>Hi</p>", text: "Hi", headers: {} },
      sendKey: KEY,
      customerId: "c.42@shop",
      campaignId: "welcome",
      variant: "a",
    });
    stop();
    const [accepted] = seen;
    if (accepted === undefined) throw new Error("no accepted send reported");
    const event = sesSendEventFor({
      ...accepted,
      configurationSetName: accepted.configurationSetName ?? "x",
    });
    const outcome = await recordSesFeedback({ events: new NullWriter(), acceptances: ledger }, event);

    // Assess: the emulator still stored the email, reachable through the front.
    const store: unknown = await (await fetch(`${emulators.endpoints.sesv2}/store`)).json();
    expect(JSON.stringify(store)).toContain(receipt.messageId);
    expect(seen).toHaveLength(1);
    expect(accepted).toMatchObject({
      messageId: receipt.messageId,
      to: ["ada@example.com"],
      configurationSetName: "tailor",
      tags: { send: [sendRefOf(KEY)], variant: ["a"] },
    });
    expect(outcome.kind).toBe("accepted");
    expect(await ledger.accepted({ key: KEY, customerId: "c.42@shop" })).toMatchObject({
      messageId: receipt.messageId,
      variant: "a",
    });
    dynamodb.destroy();
  });
});
