import { createHash } from "node:crypto";
import { toE164 } from "../domain/sms/e164.js";
import {
  inboundSmsSchema,
  SMS_CONTEXT,
  smsEventOutcome,
  smsEventRecordSchema,
} from "../domain/sms/sms-event-schema.js";
import { keywordOf } from "../domain/sms/sms-keywords.js";
import type { EventWriter } from "../ports.js";
import { FeedbackNotAcceptedError } from "./ses-feedback.js";

/** A Segment-spec `track` call made from SMS feedback. */
export interface SmsTrackEvent {
  readonly type: "track";
  /** Deterministic: the same provider event always gives the same id, so a redelivery is applied once. */
  readonly messageId: string;
  readonly userId: string;
  readonly event: "SMS Delivered" | "SMS Failed" | "Consent Updated";
  readonly timestamp: string;
  readonly properties: Readonly<Record<string, string | boolean>>;
}

/** One provider event or reply mapped: Tailor's event for the customer, or why there is none. */
export type SmsFeedbackMapping =
  | { readonly ok: true; readonly customerId: string; readonly event: SmsTrackEvent }
  | { readonly ok: false; readonly reason: "ignored" | "unattributed" | "invalid"; readonly message: string };

const idOf = (...parts: string[]) =>
  `sms-${createHash("sha256").update(parts.join("\n")).digest("hex").slice(0, 32)}`;

const issuesOf = (error: { issues: readonly { path: PropertyKey[]; message: string }[] }) =>
  error.issues.map((issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`).join("; ");

/**
 * Turns one SMS event record into zero or one Tailor event: delivered → `SMS Delivered`; `TEXT_INVALID` →
 * `SMS Failed` (permanent: SMS is suppressed for the customer); `TEXT_BLOCKED` → `Consent Updated` (sms withdrawn,
 * source `TEXT_BLOCKED`); other failures → `SMS Failed` (not permanent). The customer, campaign and variant come
 * from the text's context. The id is derived from the provider's message id and outcome (`TEXT_SUCCESSFUL` and
 * `TEXT_DELIVERED` of one text give the same id, so the fold counts the delivery once). Never throws.
 */
export function smsEventToTrack(input: unknown): SmsFeedbackMapping {
  const parsed = smsEventRecordSchema.safeParse(input);
  if (!parsed.success)
    return { ok: false, reason: "invalid", message: `not an SMS event: ${issuesOf(parsed.error)}` };
  const record = parsed.data;
  const outcome = smsEventOutcome(record.eventType);
  const what = `SMS ${record.eventType} of message ${record.messageId}`;
  if (outcome === "ignored") return { ok: false, reason: "ignored", message: `${what}: not a final outcome` };
  const customerId = record.context?.[SMS_CONTEXT.customer];
  if (customerId === undefined || customerId === "") {
    return { ok: false, reason: "unattributed", message: `${what}: no ${SMS_CONTEXT.customer} context` };
  }
  const campaign = record.context?.[SMS_CONTEXT.campaign];
  const variant = record.context?.[SMS_CONTEXT.variant];
  const ref = {
    message_id: record.messageId,
    ...(campaign === undefined ? {} : { campaign_id: campaign }),
    ...(variant === undefined ? {} : { variant }),
  };
  const base = {
    type: "track",
    messageId: idOf(record.messageId, outcome),
    userId: customerId,
    timestamp: new Date(record.eventTimestamp).toISOString(),
  } as const;
  if (outcome === "delivered") {
    return { ok: true, customerId, event: { ...base, event: "SMS Delivered", properties: ref } };
  }
  if (outcome === "blocked") {
    return {
      ok: true,
      customerId,
      event: {
        ...base,
        event: "Consent Updated",
        properties: { purpose: "sms", granted: false, source: record.eventType },
      },
    };
  }
  return {
    ok: true,
    customerId,
    event: {
      ...base,
      event: "SMS Failed",
      properties: { ...ref, status: record.eventType, permanent: outcome === "invalid" },
    },
  };
}

/** Finds the customer a phone number belongs to (the number the last text to it was sent for). */
export interface SmsRecipients {
  /** The customer of `phone` (E.164), or undefined when no text was sent to it. */
  customerOf(phone: string): Promise<string | undefined>;
}

/**
 * Turns a two-way SMS reply into a consent change: STOP and its synonyms withdraw SMS consent, START and UNSTOP
 * give it back (source `keyword STOP`), for the customer the number belongs to; any other reply gives nothing.
 */
export async function inboundSmsToTrack(
  recipients: SmsRecipients,
  input: unknown,
  receivedAt: number,
): Promise<SmsFeedbackMapping> {
  const parsed = inboundSmsSchema.safeParse(input);
  if (!parsed.success)
    return { ok: false, reason: "invalid", message: `not an SMS reply: ${issuesOf(parsed.error)}` };
  const reply = parsed.data;
  const { action, keyword } = keywordOf(reply.messageBody);
  if (action === "none") return { ok: false, reason: "ignored", message: "a reply that is not a keyword" };
  const phone = toE164(reply.originationNumber);
  const customerId = phone === undefined ? undefined : await recipients.customerOf(phone);
  if (customerId === undefined) {
    return { ok: false, reason: "unattributed", message: `${keyword} from a number Tailor never texted` };
  }
  return {
    ok: true,
    customerId,
    event: {
      type: "track",
      messageId: idOf(reply.inboundMessageId, keyword),
      userId: customerId,
      event: "Consent Updated",
      timestamp: new Date(receivedAt).toISOString(),
      properties: { purpose: "sms", granted: action === "opt-in", source: `keyword ${keyword}` },
    },
  };
}

const utf8 = new TextEncoder();

/**
 * Puts a mapped SMS event on the stream (partitioned by customer), where the fold applies it like any other.
 * Throws {@link FeedbackNotAcceptedError} (retryable) when the stream did not take it.
 */
export async function putSmsFeedback(events: EventWriter, mapping: SmsFeedbackMapping): Promise<void> {
  if (!mapping.ok) return;
  const outcome = await events.put([
    { customerId: mapping.customerId, data: utf8.encode(JSON.stringify(mapping.event)) },
  ]);
  if (outcome.rejected.length > 0 || outcome.accepted < 1) {
    throw new FeedbackNotAcceptedError(
      `the events stream refused ${mapping.event.event} ${mapping.event.messageId} of customer ${mapping.customerId}`,
    );
  }
}
