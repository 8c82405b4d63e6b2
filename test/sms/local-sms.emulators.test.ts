import { PinpointSMSVoiceV2Client } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type LocalSms, startLocalSms } from "#infra/local/local-sms.js";
import { recordSmsNotification } from "#shared/app/sms-notification.js";
import { SmsVoiceV2Sender } from "#shared/aws/sms-voice-v2-sender.js";
import type { EventRecord } from "#shared/ports.js";

const FEEDBACK = {
  functionName: "tailor-sms-feedback",
  functionArn: "arn:aws:lambda:us-east-1:000000000000:function:tailor-sms-feedback",
  memorySize: 1024,
  timeoutSeconds: 5,
};

/** The part of Lambda's SNS event the feedback function reads. */
const snsEventSchema = z.object({
  Records: z.array(
    z.object({
      EventSource: z.literal("aws:sns"),
      Sns: z.object({
        MessageId: z.string(),
        TopicArn: z.string(),
        Message: z.string(),
        Timestamp: z.string(),
      }),
    }),
  ),
});

/** What the feedback function would put on the stream, through the real mapping, and the SNS events it got. */
const received: z.infer<typeof snsEventSchema>[] = [];
const put: EventRecord[] = [];
let failuresLeft = 0;
const phones = new Map<string, string>();
const handler = async (event: unknown) => {
  const sns = snsEventSchema.parse(event);
  if (failuresLeft > 0) {
    failuresLeft--;
    throw new Error("the stream is down");
  }
  received.push(sns);
  for (const record of sns.Records) {
    await recordSmsNotification(
      {
        events: {
          put: async (records) => {
            put.push(...records);
            return { accepted: records.length, rejected: [] };
          },
        },
        recipients: { customerOf: async (phone) => phones.get(phone) },
      },
      record.Sns,
    );
  }
};

let sms: LocalSms;
let sender: SmsVoiceV2Sender;
const lines: string[] = [];
beforeAll(async () => {
  sms = await startLocalSms({
    port: 0,
    feedback: async () => ({ function: FEEDBACK, handler }),
    log: (line) => lines.push(line),
    now: Date.now,
  });
  const client = new PinpointSMSVoiceV2Client({
    endpoint: sms.env.AWS_ENDPOINT_URL_PINPOINT_SMS_VOICE_V2,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  sender = new SmsVoiceV2Sender({
    client,
    originationIdentity: "+15555550100",
    configurationSetName: "tailor-sms",
  });
});
afterAll(() => sms.stop());

const decoded = () => put.map((record) => JSON.parse(new TextDecoder().decode(record.data)));

describe("the local stack's SMS emulator feeds the feedback function as SNS does", () => {
  it("delivers a text's events and a STOP reply as SNS notifications of the two topics, mapped to Tailor events", async () => {
    await sender.send({
      to: "+33612345678",
      body: "Shop: your cart is waiting",
      messageType: "PROMOTIONAL",
      sendKey: "k-1",
      customerId: "user-1",
      campaignId: "cart",
      variant: "a",
    });
    phones.set("+33612345678", "user-1");
    sms.server.reply("+33612345678", "STOP");
    await sms.waitUntilIdle();
    const topics = received.flatMap((event) => event.Records.map((record) => record.Sns.TopicArn));
    expect(topics.filter((arn) => arn.endsWith(":tailor-sms-events"))).toHaveLength(2);
    expect(topics.filter((arn) => arn.endsWith(":tailor-sms-replies"))).toHaveLength(1);
    expect(decoded().map((event) => event.event)).toEqual([
      "SMS Delivered",
      "SMS Delivered",
      "Consent Updated",
    ]);
    // TEXT_SUCCESSFUL and TEXT_DELIVERED of one text share one id: the fold counts it once.
    expect(
      new Set(
        decoded()
          .slice(0, 2)
          .map((event) => event.messageId),
      ).size,
    ).toBe(1);
    expect(decoded()[2]).toMatchObject({ userId: "user-1", properties: { purpose: "sms", granted: false } });
  });

  it("retries a failing invocation twice as Lambda's asynchronous invocation does, then reports it dead-lettered", async () => {
    const before = received.length;
    failuresLeft = 2;
    sms.server.reply("+33612345678", "START");
    await sms.waitUntilIdle();
    expect(received.length).toBe(before + 1);
    failuresLeft = 3;
    sms.server.reply("+33612345678", "STOP");
    await sms.waitUntilIdle();
    expect(received.length).toBe(before + 1);
    expect(lines.some((line) => /SMS inbound notification dead-lettered after 3 attempts/.test(line))).toBe(
      true,
    );
  });
});
