import type { EventWriter } from "../ports.js";
import {
  inboundSmsToTrack,
  putSmsFeedback,
  type SmsFeedbackMapping,
  type SmsRecipients,
  smsEventToTrack,
} from "./sms-feedback.js";

/** One SNS notification as Lambda receives it (`Records[].Sns`): the fields read here. */
export interface SmsNotification {
  readonly MessageId: string;
  readonly TopicArn: string;
  /** The published JSON: an event record of the configuration set, or a two-way reply. */
  readonly Message: string;
  /** ISO 8601: when SNS received it (a reply's receipt time). */
  readonly Timestamp: string;
}

/** What {@link recordSmsNotification} needs. */
export interface SmsNotificationDeps {
  readonly events: EventWriter;
  readonly recipients: SmsRecipients;
}

/**
 * Maps one SNS notification of SMS feedback and puts the Tailor event on the stream: a record with an `eventType`
 * is a configuration set event (delivered, failed, blocked), one with an `originationNumber` a two-way reply
 * (STOP, START). A message that is neither, or not JSON, is `invalid`; unattributed and ignored ones are reported,
 * never thrown. Throws `FeedbackNotAcceptedError` (retryable) when the stream refused the event.
 */
export async function recordSmsNotification(
  deps: SmsNotificationDeps,
  notification: SmsNotification,
): Promise<SmsFeedbackMapping> {
  let message: unknown;
  try {
    message = JSON.parse(notification.Message);
  } catch {
    return { ok: false, reason: "invalid", message: `SNS message ${notification.MessageId} is not JSON` };
  }
  const isReply = typeof message === "object" && message !== null && "originationNumber" in message;
  const received = Date.parse(notification.Timestamp);
  const mapping = isReply
    ? await inboundSmsToTrack(deps.recipients, message, Number.isNaN(received) ? 0 : received)
    : smsEventToTrack(message);
  await putSmsFeedback(deps.events, mapping);
  return mapping;
}
