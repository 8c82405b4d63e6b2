/**
 * SES events as EventBridge delivers them, written after the examples of the SES developer guide ("Examples of
 * event data that Amazon SES publishes"): the event record is the EventBridge event's `detail`.
 */

export const SES_MESSAGE_ID = "010001850a3cb1cb-5a8e9c35-2b4f-4a3c-9d2e-7c1f0c6d2e4a-000000";

/** Tags as the mailer writes them: `customer` `c.42@shop` is encoded `c_2E42_40shop`. */
export const TAGS = {
  "ses:configuration-set": ["tailor"],
  "ses:source-ip": ["192.0.2.0"],
  "ses:from-domain": ["shop.example"],
  "ses:caller-identity": ["tailor-dispatch"],
  customer: ["c_2E42_40shop"],
  campaign: ["cart__abandonment"],
  variant: ["b"],
};

export function mail(tags: Record<string, string[]> | undefined = TAGS) {
  return {
    timestamp: "2026-11-20T10:00:00.012Z",
    source: "Shop <news@shop.example>",
    sourceArn: "arn:aws:ses:us-east-1:123456789012:identity/shop.example",
    sendingAccountId: "123456789012",
    messageId: SES_MESSAGE_ID,
    destination: ["ada@example.com"],
    headersTruncated: false,
    headers: [
      { name: "From", value: "Shop <news@shop.example>" },
      { name: "To", value: "ada@example.com" },
    ],
    commonHeaders: { from: ["Shop <news@shop.example>"], to: ["ada@example.com"], subject: "Your cart" },
    ...(tags === undefined ? {} : { tags }),
  };
}

export function envelope(detailType: string, detail: Record<string, unknown>) {
  return {
    version: "0",
    id: "5e6b4c1a-7f0d-4f5e-9c1b-3a2d1e0f9b8c",
    "detail-type": detailType,
    source: "aws.ses",
    account: "123456789012",
    time: "2026-11-20T10:05:00Z",
    region: "us-east-1",
    resources: ["arn:aws:ses:us-east-1:123456789012:configuration-set/tailor"],
    detail,
  };
}

export const delivery = (tags?: Record<string, string[]>) =>
  envelope("Email Delivered", {
    eventType: "Delivery",
    mail: mail(tags),
    delivery: {
      timestamp: "2026-11-20T10:00:01.250Z",
      processingTimeMillis: 1238,
      recipients: ["ada@example.com"],
      smtpResponse: "250 2.6.0 Message received",
      reportingMTA: "mta.example.com",
    },
  });

export const open = (timestamp = "2026-11-20T10:12:30.000Z") =>
  envelope("Email Opened", {
    eventType: "Open",
    mail: mail(),
    open: {
      ipAddress: "192.0.2.1",
      timestamp,
      userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)",
    },
  });

export const click = (
  link = "https://example.com/products/smart-speaker-3?utm_source=tailor",
  timestamp = "2026-11-20T10:13:02.000Z",
) =>
  envelope("Email Clicked", {
    eventType: "Click",
    mail: mail(),
    click: {
      ipAddress: "192.0.2.1",
      link,
      linkTags: { samplekey0: ["samplevalue0"] },
      timestamp,
      userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64)",
    },
  });

export const bounce = (bounceType: "Permanent" | "Transient" | "Undetermined" = "Permanent") =>
  envelope("Email Bounced", {
    eventType: "Bounce",
    mail: mail(),
    bounce: {
      bounceType,
      bounceSubType: bounceType === "Permanent" ? "General" : "MailboxFull",
      bouncedRecipients: [
        {
          emailAddress: "ada@example.com",
          action: "failed",
          status: "5.1.1",
          diagnosticCode: "smtp; 550 5.1.1 user unknown",
        },
      ],
      timestamp: "2026-11-20T10:00:02.669Z",
      feedbackId: "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
      reportingMTA: "dsn; mta.example.com",
    },
  });

export const complaint = () =>
  envelope("Email Complaint Received", {
    eventType: "Complaint",
    mail: mail(),
    complaint: {
      feedbackId: "01000157c44f053b-61b59c11-9236-11e6-8f96-7be8aexample-000000",
      complaintSubType: null,
      complainedRecipients: [{ emailAddress: "ada@example.com" }],
      timestamp: "2026-11-20T11:30:00.000Z",
      userAgent: "Mozilla/5.0",
      complaintFeedbackType: "abuse",
      arrivalDate: "2026-11-20T11:29:58.000Z",
    },
  });

export const send = () => envelope("Email Sent", { eventType: "Send", mail: mail(), send: {} });
/** A `Send` of an email the mailer tagged with a send key's reference (`send` tag). */
export const sendTagged = (sendRef: string) =>
  envelope("Email Sent", { eventType: "Send", mail: mail({ ...TAGS, send: [sendRef] }), send: {} });
export const reject = () =>
  envelope("Email Rejected", { eventType: "Reject", mail: mail(), reject: { reason: "Bad content" } });
export const deliveryDelay = () =>
  envelope("Email Delivery Delayed", {
    eventType: "DeliveryDelay",
    mail: mail(),
    deliveryDelay: { timestamp: "2026-11-20T10:30:00.000Z", delayType: "MailboxFull", delayedRecipients: [] },
  });
export const renderingFailure = () =>
  envelope("Email Rendering Failed", {
    eventType: "Rendering Failure",
    mail: mail(),
    failure: { errorMessage: "Attribute 'name' is not present", templateName: "t" },
  });
export const subscription = () =>
  envelope("Email Subscribed", {
    eventType: "Subscription",
    mail: mail(),
    subscription: { contactList: "news", timestamp: "2026-11-20T10:30:00.000Z", source: "UnsubscribeHeader" },
  });
