import { describe, expect, it } from "vitest";
import { recordSesFeedback, sendAcceptanceOf, sesFeedbackToEvents } from "#shared/app/ses-feedback.js";
import { sendRefOf } from "#shared/domain/email-feedback/ses-tags.js";
import { decodeEvent, type TailorEvent } from "#shared/domain/events/index.js";
import type { EventRecord, EventWriteOutcome, EventWriter } from "#shared/ports.js";
import { RecordingAcceptances } from "./recording-acceptances.js";
import * as ses from "./ses-fixtures.js";

const NOW = Date.parse("2026-11-20T12:00:00Z");
const utf8 = new TextEncoder();

/** The mapped event through the ingest's decoder: what the profile fold would see. */
function ingest(input: unknown): TailorEvent {
  const mapping = sesFeedbackToEvents(input);
  if (!mapping.ok) throw new Error(`not mapped: ${mapping.reason}: ${mapping.message}`);
  const decoded = decodeEvent(utf8.encode(JSON.stringify(mapping.event)), NOW);
  if (!decoded.ok) throw new Error(`ingest refused: ${decoded.error.message}`);
  return decoded.event;
}

describe("sesFeedbackToEvents: each SES type becomes the Tailor event the ingest accepts", () => {
  it("Delivery → Email Delivered for the tagged customer, campaign and variant, at the delivery time", () => {
    const event = ingest(ses.delivery());
    expect(event.kind).toBe("email_delivered");
    expect(event.customerId).toBe("c.42@shop");
    expect(event.timestamp).toBe(Date.parse("2026-11-20T10:00:01.250Z"));
    if (event.kind !== "email_delivered") return;
    expect(event.email).toEqual({
      messageId: ses.SES_MESSAGE_ID,
      campaignId: "cart_abandonment",
      variant: "b",
      url: undefined,
    });
  });

  it("Open → Email Opened at the open time", () => {
    const event = ingest(ses.open());
    expect(event.kind).toBe("email_opened");
    expect(event.timestamp).toBe(Date.parse("2026-11-20T10:12:30.000Z"));
  });

  it("Click → Email Clicked with the link", () => {
    const event = ingest(ses.click());
    expect(event.kind).toBe("email_clicked");
    if (event.kind !== "email_clicked") return;
    expect(event.email.url).toBe("https://example.com/products/smart-speaker-3?utm_source=tailor");
    expect(event.email.campaignId).toBe("cart_abandonment");
  });

  it("a link longer than Tailor keeps still records the click, without the link", () => {
    const event = ingest(ses.click(`https://example.com/?q=${"x".repeat(3000)}`));
    expect(event.kind).toBe("email_clicked");
    if (event.kind === "email_clicked") expect(event.email.url).toBeUndefined();
  });

  it("Bounce Permanent → a hard bounce; Transient and Undetermined → soft", () => {
    const hard = ingest(ses.bounce("Permanent"));
    const soft = ingest(ses.bounce("Transient"));
    const unknown = ingest(ses.bounce("Undetermined"));
    expect([hard, soft, unknown].map((e) => (e.kind === "email_bounced" ? e.bounceType : e.kind))).toEqual([
      "Permanent",
      "Transient",
      "Transient",
    ]);
  });

  it("Complaint → Email Complained, with the feedback type kept as a property", () => {
    const mapping = sesFeedbackToEvents(ses.complaint());
    expect(mapping.ok && mapping.event.properties.complaint_type).toBe("abuse");
    expect(ingest(ses.complaint()).kind).toBe("email_complained");
  });
});

describe("sesFeedbackToEvents: deterministic message ids", () => {
  const idOf = (input: unknown) => {
    const mapping = sesFeedbackToEvents(input);
    return mapping.ok ? mapping.event.messageId : `skipped: ${mapping.reason}`;
  };

  it("the same SES event (EventBridge delivering it twice) gives the same messageId", () => {
    for (const make of [ses.delivery, ses.open, ses.click, ses.bounce, ses.complaint]) {
      expect(idOf(make())).toBe(idOf(structuredClone(make())));
    }
  });

  it("different events of one email get different ids; repeated opens and clicks are told apart", () => {
    const ids = [
      idOf(ses.delivery()),
      idOf(ses.open()),
      idOf(ses.open("2026-11-20T15:00:00.000Z")),
      idOf(ses.click()),
      idOf(ses.click("https://example.com/products/webcam-1")),
      idOf(ses.click(undefined, "2026-11-20T16:00:00.000Z")),
      idOf(ses.bounce()),
      idOf(ses.complaint()),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.every((id) => id.startsWith("ses-") && id.includes(ses.SES_MESSAGE_ID))).toBe(true);
  });

  it("the id does not depend on the EventBridge envelope (a replay gets a new envelope id)", () => {
    const replayed = { ...ses.open(), id: "another-envelope-id", time: "2026-11-21T00:00:00Z" };
    expect(idOf(replayed)).toBe(idOf(ses.open()));
  });
});

describe("sesFeedbackToEvents: what gives no event", () => {
  it.each([
    ["Send", ses.send],
    ["Reject", ses.reject],
    ["DeliveryDelay", ses.deliveryDelay],
    ["Rendering Failure", ses.renderingFailure],
    ["Subscription", ses.subscription],
  ])("%s is ignored with a reason", (type, make) => {
    const mapping = sesFeedbackToEvents(make());
    expect(mapping.ok).toBe(false);
    if (mapping.ok) return;
    expect(mapping.reason).toBe("ignored");
    expect(mapping.message).toContain(type);
  });

  it("an email without a customer tag cannot be attributed", () => {
    const mapping = sesFeedbackToEvents(ses.delivery({ "ses:configuration-set": ["tailor"] }));
    expect(mapping).toMatchObject({ ok: false, reason: "unattributed" });
    if (!mapping.ok) expect(mapping.message).toContain('no "customer" tag');
  });

  it("a customer tag that is not Tailor's encoding cannot be attributed", () => {
    const mapping = sesFeedbackToEvents(ses.delivery({ customer: ["c_ZZ"] }));
    expect(mapping).toMatchObject({ ok: false, reason: "unattributed" });
  });

  it("a tracked type without its object, or not an SES event at all, is invalid", () => {
    const { delivery: _gone, ...detail } = ses.delivery().detail;
    expect(sesFeedbackToEvents(ses.envelope("Email Delivered", detail))).toMatchObject({
      ok: false,
      reason: "invalid",
    });
    expect(sesFeedbackToEvents({ hello: "world" })).toMatchObject({ ok: false, reason: "invalid" });
  });
});

class RecordingWriter implements EventWriter {
  readonly records: EventRecord[] = [];
  constructor(readonly refuse = false) {}
  async put(records: readonly EventRecord[]): Promise<EventWriteOutcome> {
    if (this.refuse) return { accepted: 0, rejected: records.map((_, i) => i) };
    this.records.push(...records);
    return { accepted: records.length, rejected: [] };
  }
}

describe("recordSesFeedback", () => {
  it("puts the event on the stream, partitioned by the customer", async () => {
    const writer = new RecordingWriter();
    await recordSesFeedback({ events: writer, acceptances: new RecordingAcceptances() }, ses.click());
    expect(writer.records).toHaveLength(1);
    const [record] = writer.records;
    expect(record?.customerId).toBe("c.42@shop");
    const decoded = decodeEvent(record?.data ?? new Uint8Array(), NOW);
    expect(decoded.ok && decoded.event.kind).toBe("email_clicked");
  });

  it("throws a retryable error when the stream refuses the event", async () => {
    await expect(
      recordSesFeedback(
        { events: new RecordingWriter(true), acceptances: new RecordingAcceptances() },
        ses.delivery(),
      ),
    ).rejects.toMatchObject({
      name: "FeedbackNotAcceptedError",
      retryable: true,
    });
  });

  it("puts nothing for a skipped event and says why", async () => {
    const writer = new RecordingWriter();
    const mapping = await recordSesFeedback(
      { events: writer, acceptances: new RecordingAcceptances() },
      ses.send(),
    );
    expect(mapping).toMatchObject({ kind: "skipped", reason: "ignored" });
    expect(writer.records).toHaveLength(0);
  });
});

describe("recordSesFeedback: SES's Send event is recorded in the ledger by send key", () => {
  const KEY = "welcome#c.42@shop#signup#0";

  it("records the send key's reference, SES's message id, its time and the variant", async () => {
    // Prepare
    const writer = new RecordingWriter();
    const acceptances = new RecordingAcceptances();

    // Act
    const outcome = await recordSesFeedback({ events: writer, acceptances }, ses.sendTagged(sendRefOf(KEY)));

    // Assess
    const expected = {
      sendRef: sendRefOf(KEY),
      messageId: ses.SES_MESSAGE_ID,
      acceptedAt: Date.parse("2026-11-20T10:00:00.012Z"),
      variant: "b",
    };
    expect(outcome).toEqual({ kind: "accepted", acceptance: expected });
    expect([...acceptances.byRef.values()]).toEqual([expected]);
    expect(writer.records).toEqual([]);
  });

  it("is idempotent: a redelivered Send event leaves the first record as it was", async () => {
    // Prepare
    const acceptances = new RecordingAcceptances();
    const deps = { events: new RecordingWriter(), acceptances };
    await recordSesFeedback(deps, ses.sendTagged(sendRefOf(KEY)));

    // Act
    await recordSesFeedback(deps, { ...ses.sendTagged(sendRefOf(KEY)), id: "redelivered" });

    // Assess
    expect(acceptances.calls).toBe(2);
    expect(acceptances.byRef.size).toBe(1);
  });

  it("lets the ledger's failure through, so EventBridge delivers the event again", async () => {
    // Prepare
    const failure = Object.assign(new Error("ledger down"), { retryable: true });
    const deps = { events: new RecordingWriter(), acceptances: new RecordingAcceptances(failure) };

    // Act, Assess
    await expect(recordSesFeedback(deps, ses.sendTagged(sendRefOf(KEY)))).rejects.toBe(failure);
  });

  it("a Send without Tailor's send tag, or with one outside SES's alphabet, is not an acceptance", () => {
    expect(sendAcceptanceOf(ses.send())).toBeUndefined();
    expect(sendAcceptanceOf(ses.sendTagged("not a ref!"))).toBeUndefined();
    expect(sendAcceptanceOf(ses.delivery())).toBeUndefined();
  });
});
