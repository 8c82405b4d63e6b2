import { createHash } from "node:crypto";
import { type SesEventDetail, sesEventBridgeEventSchema } from "../domain/email-feedback/ses-event-schema.js";
import { decodeSesTag, isSendRef, SEND_TAG } from "../domain/email-feedback/ses-tags.js";
import { URL_MAX } from "../domain/events/index.js";
import { TailorError } from "../errors.js";
import type { EventWriter, SendAcceptance, SendAcceptances } from "../ports.js";

/** A Segment-spec `track` call, as an app would put it on the stream. */
export interface FeedbackTrackEvent {
  readonly type: "track";
  /** Deterministic: the same SES event always gives the same id, so a redelivery is applied once. */
  readonly messageId: string;
  readonly userId: string;
  readonly event: "Email Delivered" | "Email Opened" | "Email Clicked" | "Email Bounced" | "Email Complained";
  /** ISO 8601, the SES event's own time (when it happened, not when it was received). */
  readonly timestamp: string;
  readonly properties: Readonly<Record<string, string>>;
}

/** Why an SES event gives no Tailor event. */
export type FeedbackSkipReason =
  /**
   * A type Tailor does not turn into an event (`Send`, `Reject`, `DeliveryDelay`, `Rendering Failure`,
   * `Subscription`); a `Send` with Tailor's `send` tag is recorded in the ledger instead (see
   * {@link sendAcceptanceOf}).
   */
  | "ignored"
  /** No (readable) `customer` tag: the email was not sent by Tailor's mailer, or the tags were not published. */
  | "unattributed"
  /** Not an SES event record, or one missing the part its type needs. */
  | "invalid";

/** One SES event mapped: the Tailor event for the customer, or why there is none. */
export type SesFeedbackMapping =
  | { readonly ok: true; readonly customerId: string; readonly event: FeedbackTrackEvent }
  | { readonly ok: false; readonly reason: FeedbackSkipReason; readonly message: string };

const CLICK_HASH_HEX = 12;
const hashOf = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, CLICK_HASH_HEX);

/** The first value of a tag written by the mailer's `encodeSesTag`, decoded; `undefined` when absent or unreadable. */
function tagValue(tags: Readonly<Record<string, readonly string[]>> | undefined, name: string) {
  const raw = tags?.[name]?.[0];
  return raw === undefined ? undefined : decodeSesTag(raw);
}

const skip = (reason: FeedbackSkipReason, message: string): SesFeedbackMapping => ({
  ok: false,
  reason,
  message,
});

/**
 * Turns one SES event (as EventBridge delivers it) into zero or one Tailor `track` event: `Delivery` → `Email
 * Delivered`, `Open` → `Email Opened`, `Click` → `Email Clicked` (with the link), `Bounce` → `Email Bounced`
 * (`Permanent` suppresses; `Transient` and `Undetermined` are soft), `Complaint` → `Email Complained`. The
 * customer, campaign and variant come from the email's tags `customer`, `campaign`, `variant`.
 *
 * The event's `messageId` is derived from the SES message id (plus, for opens and clicks, which can happen many
 * times, the time and the link), so EventBridge's at-least-once delivery never counts one event twice.
 * Never throws: other types, untagged emails and malformed input come back as a reason.
 */
export function sesFeedbackToEvents(input: unknown): SesFeedbackMapping {
  const parsed = sesEventBridgeEventSchema.safeParse(input);
  if (!parsed.success) {
    const where = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`);
    return skip("invalid", `not an SES event: ${where.join("; ")}`);
  }
  const sesEvent = parsed.data;
  const { detail } = sesEvent;
  const sesMessageId = detail.mail.messageId;
  const what = `SES ${detail.eventType} event (${sesEvent["detail-type"]}) of message ${sesMessageId}`;

  const body = bodyOf(detail);
  if (body === undefined) return skip("ignored", `${what}: not an engagement or suppression event`);
  if (body === "missing") {
    return skip("invalid", `${what}: the event has no ${detail.eventType.toLowerCase()} object`);
  }
  const at = Date.parse(body.timestamp);
  if (!Number.isFinite(at))
    return skip("invalid", `${what}: unreadable time ${JSON.stringify(body.timestamp)}`);

  const tags = detail.mail.tags;
  if (tags?.customer === undefined) {
    return skip("unattributed", `${what}: no "customer" tag (not sent by Tailor, or tags not published)`);
  }
  const customerId = tagValue(tags, "customer");
  if (customerId === undefined || customerId.trim() === "") {
    return skip(
      "unattributed",
      `${what}: the "customer" tag ${JSON.stringify(tags.customer[0])} is unreadable`,
    );
  }
  const campaignId = tagValue(tags, "campaign");
  const variant = tagValue(tags, "variant");

  const properties: Record<string, string> = {
    message_id: sesMessageId,
    ...(campaignId === undefined || campaignId === "" ? {} : { campaign_id: campaignId }),
    ...(variant === undefined || variant === "" ? {} : { variant }),
    ...body.properties,
  };
  return {
    ok: true,
    customerId,
    event: {
      type: "track",
      messageId: ["ses", body.key, sesMessageId, ...body.repeat(at)].join("-"),
      userId: customerId,
      event: body.event,
      timestamp: new Date(at).toISOString(),
      properties,
    },
  };
}

interface Body {
  readonly event: FeedbackTrackEvent["event"];
  readonly key: string;
  readonly timestamp: string;
  readonly properties: Readonly<Record<string, string>>;
  /** What tells apart two real events of this type for one email (none: there is at most one). */
  readonly repeat: (at: number) => readonly string[];
}

const once = () => [];

/** The tracked part of the record; `undefined` for an untracked type, `"missing"` when its object is absent. */
function bodyOf(detail: SesEventDetail): Body | "missing" | undefined {
  switch (detail.eventType) {
    case "Delivery": {
      const { delivery } = detail;
      if (delivery === undefined) return "missing";
      return {
        event: "Email Delivered",
        key: "delivery",
        timestamp: delivery.timestamp,
        properties: {},
        repeat: once,
      };
    }
    case "Open": {
      const { open } = detail;
      if (open === undefined) return "missing";
      return {
        event: "Email Opened",
        key: "open",
        timestamp: open.timestamp,
        properties: {},
        repeat: (at) => [String(at)],
      };
    }
    case "Click": {
      const { click } = detail;
      if (click === undefined) return "missing";
      return {
        event: "Email Clicked",
        key: "click",
        timestamp: click.timestamp,
        // A link longer than Tailor keeps would make the whole event invalid: the click still counts.
        properties: click.link.length <= URL_MAX ? { url: click.link } : {},
        repeat: (at) => [hashOf(click.link), String(at)],
      };
    }
    case "Bounce": {
      const { bounce } = detail;
      if (bounce === undefined) return "missing";
      return {
        event: "Email Bounced",
        key: "bounce",
        timestamp: bounce.timestamp,
        properties: {
          // Only a hard bounce suppresses the address; an undetermined one must not.
          bounce_type: bounce.bounceType === "Permanent" ? "Permanent" : "Transient",
          ...(bounce.bounceSubType === undefined ? {} : { bounce_subtype: bounce.bounceSubType }),
        },
        repeat: once,
      };
    }
    case "Complaint": {
      const { complaint } = detail;
      if (complaint === undefined) return "missing";
      const type = complaint.complaintFeedbackType;
      return {
        event: "Email Complained",
        key: "complaint",
        timestamp: complaint.timestamp,
        properties: type === undefined ? {} : { complaint_type: type },
        repeat: once,
      };
    }
    default:
      return undefined;
  }
}

/**
 * The acceptance an SES `Send` event tells of: the send key's reference from the email's `send` tag (as the
 * mailer wrote it), SES's message id and time, and the variant. `undefined` for any other event, and for a `Send`
 * without a readable `send` tag (an email sent before the tag existed, or not by Tailor).
 */
export function sendAcceptanceOf(input: unknown): SendAcceptance | undefined {
  const parsed = sesEventBridgeEventSchema.safeParse(input);
  if (!parsed.success || parsed.data.detail.eventType !== "Send") return undefined;
  const { mail } = parsed.data.detail;
  const sendRef = mail.tags?.[SEND_TAG]?.[0];
  if (sendRef === undefined || !isSendRef(sendRef)) return undefined;
  const acceptedAt = Date.parse(mail.timestamp);
  if (!Number.isFinite(acceptedAt)) return undefined;
  const variant = tagValue(mail.tags, "variant");
  return {
    sendRef,
    messageId: mail.messageId,
    acceptedAt,
    ...(variant === undefined || variant === "" ? {} : { variant }),
  };
}

/** The stream refused the feedback event: EventBridge must deliver the SES event again. */
export class FeedbackNotAcceptedError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: true, cause });
  }
}

/** What the SES feedback use case needs. */
export interface SesFeedbackDeps {
  readonly events: EventWriter;
  /** Where SES's `Send` events are recorded by send key: the send ledger. */
  readonly acceptances: SendAcceptances;
}

/** What became of one SES event. */
export type SesFeedbackOutcome =
  /** A Tailor event, put on the stream. */
  | { readonly kind: "event"; readonly customerId: string; readonly event: FeedbackTrackEvent }
  /** A `Send`, recorded in the ledger as SES's acceptance of the send. */
  | { readonly kind: "accepted"; readonly acceptance: SendAcceptance }
  /** Nothing to do, and why (for the caller to log). */
  | { readonly kind: "skipped"; readonly reason: FeedbackSkipReason; readonly message: string };

const utf8 = new TextEncoder();

/**
 * Handles one SES event: a `Send` with Tailor's `send` tag is recorded in the ledger (idempotently), so a send
 * whose attempt died after SES accepted it is recorded as sent instead of sent again; any other event is mapped
 * and the Tailor event, if any, put on the stream (partitioned by customer). Resolves what was done (skips
 * included, for the caller to log); throws {@link FeedbackNotAcceptedError} (retryable) when the stream did not
 * take the event, and lets the ledger's and the writer's own retryable errors through.
 */
export async function recordSesFeedback(deps: SesFeedbackDeps, input: unknown): Promise<SesFeedbackOutcome> {
  const acceptance = sendAcceptanceOf(input);
  if (acceptance !== undefined) {
    await deps.acceptances.recordAccepted(acceptance);
    return { kind: "accepted", acceptance };
  }
  const mapping = sesFeedbackToEvents(input);
  if (!mapping.ok) return { kind: "skipped", reason: mapping.reason, message: mapping.message };
  const outcome = await deps.events.put([
    { customerId: mapping.customerId, data: utf8.encode(JSON.stringify(mapping.event)) },
  ]);
  if (outcome.rejected.length > 0 || outcome.accepted < 1) {
    throw new FeedbackNotAcceptedError(
      `the events stream refused ${mapping.event.event} ${mapping.event.messageId} of customer ${mapping.customerId}`,
    );
  }
  return { kind: "event", customerId: mapping.customerId, event: mapping.event };
}
