import { createHash } from "node:crypto";
import type { EventBridgeEvent } from "aws-lambda";
import type { SesEventDetail } from "../domain/email-feedback/ses-event-schema.js";
import { encodeSesTag } from "../domain/email-feedback/ses-tags.js";

/** An SES event as EventBridge hands it to the SES feedback function. */
export type SimSesEvent = EventBridgeEvent<string, SesEventDetail>;

/** The email an SES event is about, as SES knows it: id, addresses, send time and message tags. */
export interface SesMailFacts {
  readonly messageId: string;
  readonly from: string;
  readonly to: readonly string[];
  /** When SES accepted the email (epoch ms). */
  readonly sentAt: number;
  readonly customerId: string;
  readonly campaignId: string;
  readonly variant: string | undefined;
  readonly configurationSetName: string;
}

/** What happened to the email, with the part of the SES record each type carries. */
export type SesOccurrence =
  | { readonly type: "Delivery" }
  | { readonly type: "Open" }
  | { readonly type: "Click"; readonly link: string }
  | { readonly type: "Bounce"; readonly bounceType: "Permanent" | "Transient" }
  | { readonly type: "Complaint" };

const DETAIL_TYPES: Readonly<Record<SesOccurrence["type"], string>> = {
  Delivery: "Email Delivered",
  Open: "Email Opened",
  Click: "Email Clicked",
  Bounce: "Email Bounced",
  Complaint: "Email Complaint Received",
};

const ACCOUNT = "000000000000";
const REGION = "us-east-1";
const USER_AGENT = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko)";

/** A UUID-shaped id derived from `parts`, so a replayed simulation gives the same EventBridge ids. */
function eventId(parts: readonly string[]): string {
  const hex = createHash("sha256").update(parts.join("\n")).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const addressOf = (to: string) => /<([^>]+)>/.exec(to)?.[1] ?? to;
const domainOf = (from: string) => addressOf(from).split("@")[1] ?? "";

/**
 * Builds the EventBridge event SES publishes (through a configuration set with an EventBridge destination) for
 * `occurrence` of `mail` at `at` (epoch ms): `detail-type`, `detail.eventType`, `detail.mail` with the tags as
 * `Record<name, values>` (Tailor's tags encoded as the mailer encodes them) and the type's own object.
 */
export function sesEventFor(mail: SesMailFacts, occurrence: SesOccurrence, at: number): SimSesEvent {
  const time = new Date(at).toISOString();
  const recipients = mail.to.map(addressOf);
  const tags: Record<string, string[]> = {
    "ses:configuration-set": [mail.configurationSetName],
    "ses:from-domain": [domainOf(mail.from)],
    "ses:caller-identity": ["tailor-dispatch"],
    customer: [encodeSesTag(mail.customerId)],
    campaign: [encodeSesTag(mail.campaignId)],
    ...(mail.variant === undefined ? {} : { variant: [encodeSesTag(mail.variant)] }),
  };
  const base: Omit<SesEventDetail, "eventType"> = {
    mail: {
      timestamp: new Date(mail.sentAt).toISOString(),
      messageId: mail.messageId,
      source: mail.from,
      sendingAccountId: ACCOUNT,
      destination: recipients,
      headersTruncated: false,
      tags,
    },
  };
  const detail = ((): SesEventDetail => {
    switch (occurrence.type) {
      case "Delivery":
        return {
          ...base,
          eventType: "Delivery",
          delivery: {
            timestamp: time,
            processingTimeMillis: Math.max(0, at - mail.sentAt),
            recipients,
            smtpResponse: "250 2.6.0 Message received",
            reportingMTA: "a8-70.smtp-out.amazonses.com",
          },
        };
      case "Open":
        return {
          ...base,
          eventType: "Open",
          open: { timestamp: time, ipAddress: "192.0.2.1", userAgent: USER_AGENT },
        };
      case "Click":
        return {
          ...base,
          eventType: "Click",
          click: { timestamp: time, link: occurrence.link, ipAddress: "192.0.2.1", userAgent: USER_AGENT },
        };
      case "Bounce":
        return {
          ...base,
          eventType: "Bounce",
          bounce: {
            timestamp: time,
            bounceType: occurrence.bounceType,
            bounceSubType: occurrence.bounceType === "Permanent" ? "General" : "MailboxFull",
            bouncedRecipients: recipients.map((emailAddress) => ({ emailAddress })),
            reportingMTA: "dsn; a8-70.smtp-out.amazonses.com",
          },
        };
      case "Complaint":
        return {
          ...base,
          eventType: "Complaint",
          complaint: {
            timestamp: time,
            complainedRecipients: recipients.map((emailAddress) => ({ emailAddress })),
            complaintFeedbackType: "abuse",
            userAgent: USER_AGENT,
            arrivalDate: time,
          },
        };
    }
  })();
  const link = occurrence.type === "Click" ? occurrence.link : "";
  return {
    version: "0",
    id: eventId([mail.messageId, occurrence.type, time, link]),
    "detail-type": DETAIL_TYPES[occurrence.type],
    source: "aws.ses",
    account: ACCOUNT,
    time,
    region: REGION,
    resources: [`arn:aws:ses:${REGION}:${ACCOUNT}:configuration-set/${mail.configurationSetName}`],
    detail,
  };
}

/** An email SES accepted, as its `Send` event tells of it: the message tags exactly as the request set them. */
export interface SesSendFacts {
  readonly messageId: string;
  readonly from: string;
  readonly to: readonly string[];
  /** When SES accepted it (epoch ms). */
  readonly at: number;
  readonly configurationSetName: string;
  /** The request's message tags (Tailor's `customer`, `campaign`, `variant`, `send`), each name with its values. */
  readonly tags: Readonly<Record<string, readonly string[]>>;
}

/**
 * The EventBridge event SES publishes when it accepts an email (`Send`, detail-type `Email Sent`): what the local
 * stack publishes for every email the SES emulator accepts, which publishes no events itself.
 */
export function sesSendEventFor(mail: SesSendFacts): SimSesEvent {
  const time = new Date(mail.at).toISOString();
  const tags: Record<string, string[]> = {
    "ses:configuration-set": [mail.configurationSetName],
    "ses:from-domain": [domainOf(mail.from)],
    "ses:caller-identity": ["tailor-dispatch"],
  };
  for (const [name, values] of Object.entries(mail.tags)) tags[name] = [...values];
  return {
    version: "0",
    id: eventId([mail.messageId, "Send", time]),
    "detail-type": "Email Sent",
    source: "aws.ses",
    account: ACCOUNT,
    time,
    region: REGION,
    resources: [`arn:aws:ses:${REGION}:${ACCOUNT}:configuration-set/${mail.configurationSetName}`],
    detail: {
      eventType: "Send",
      mail: {
        timestamp: time,
        messageId: mail.messageId,
        source: mail.from,
        sendingAccountId: ACCOUNT,
        destination: mail.to.map(addressOf),
        headersTruncated: false,
        tags,
      },
    },
  };
}
