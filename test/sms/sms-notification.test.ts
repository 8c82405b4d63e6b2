import { describe, expect, it } from "vitest";
import { FeedbackNotAcceptedError } from "#shared/app/ses-feedback.js";
import { recordSmsNotification } from "#shared/app/sms-notification.js";
import type { EventRecord, EventWriteOutcome, EventWriter } from "#shared/ports.js";

const AT = Date.UTC(2026, 11, 7, 10);

/** Records what it is given; refuses everything when `refuse` is set. */
class RecordingWriter implements EventWriter {
  readonly records: EventRecord[] = [];
  refuse = false;
  async put(records: readonly EventRecord[]): Promise<EventWriteOutcome> {
    if (this.refuse) return { accepted: 0, rejected: records.map((_, index) => index) };
    this.records.push(...records);
    return { accepted: records.length, rejected: [] };
  }
  events(): unknown[] {
    return this.records.map((record) => JSON.parse(new TextDecoder().decode(record.data)));
  }
}

const numbers = new Map([["+33612345678", "user-1"]]);
const recipients = { customerOf: async (phone: string) => numbers.get(phone) };
const notification = (message: unknown) => ({
  MessageId: "sns-1",
  TopicArn: "arn:aws:sns:eu-west-1:123456789012:tailor-sms",
  Message: typeof message === "string" ? message : JSON.stringify(message),
  Timestamp: new Date(AT).toISOString(),
});

describe("recordSmsNotification: SMS feedback as SNS delivers it", () => {
  it("puts a delivery event of a configuration set record on the stream, partitioned by its customer", async () => {
    const events = new RecordingWriter();
    const mapping = await recordSmsNotification(
      { events, recipients },
      notification({
        eventType: "TEXT_DELIVERED",
        eventTimestamp: AT,
        messageId: "m-1",
        destinationPhoneNumber: "+33612345678",
        context: { tailor_customer: "user-1", tailor_campaign: "cart", tailor_variant: "a" },
      }),
    );
    expect(mapping.ok).toBe(true);
    expect(events.records.map((record) => record.customerId)).toEqual(["user-1"]);
    expect(events.events()).toMatchObject([{ event: "SMS Delivered", userId: "user-1" }]);
  });

  it("turns a STOP reply into sms consent withdrawn for the number's customer, at SNS's time", async () => {
    const events = new RecordingWriter();
    await recordSmsNotification(
      { events, recipients },
      notification({
        originationNumber: "+33612345678",
        destinationNumber: "+15555550100",
        messageBody: "Stop.",
        inboundMessageId: "in-1",
      }),
    );
    expect(events.events()).toMatchObject([
      {
        event: "Consent Updated",
        userId: "user-1",
        timestamp: new Date(AT).toISOString(),
        properties: { purpose: "sms", granted: false, source: "keyword STOP" },
      },
    ]);
  });

  it("reports a message that is not JSON, or a reply from a number never texted, and puts nothing", async () => {
    const events = new RecordingWriter();
    const garbled = await recordSmsNotification({ events, recipients }, notification("{not json"));
    expect(garbled).toMatchObject({ ok: false, reason: "invalid", message: "SNS message sns-1 is not JSON" });
    const stranger = await recordSmsNotification(
      { events, recipients },
      notification({ originationNumber: "+15555550123", messageBody: "STOP", inboundMessageId: "in-2" }),
    );
    expect(stranger).toMatchObject({ ok: false, reason: "unattributed" });
    expect(events.records).toEqual([]);
  });

  it("throws a retryable error when the stream refuses the event, so Lambda retries the notification", async () => {
    const events = new RecordingWriter();
    events.refuse = true;
    const put = recordSmsNotification(
      { events, recipients },
      notification({ originationNumber: "+33612345678", messageBody: "START", inboundMessageId: "in-3" }),
    );
    await expect(put).rejects.toThrow(FeedbackNotAcceptedError);
  });
});
