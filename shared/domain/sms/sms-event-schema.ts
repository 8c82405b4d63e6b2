import { z } from "zod";

/** The message context keys a text carries (`Context` of `SendTextMessage`), back in every event of it. */
export const SMS_CONTEXT = {
  customer: "tailor_customer",
  campaign: "tailor_campaign",
  variant: "tailor_variant",
  send: "tailor_send",
} as const;

/**
 * One event record of an End User Messaging SMS configuration set's event destination (SNS or EventBridge
 * deliver the same JSON): only the fields Tailor reads; the rest (mcc, mnc, prices…) is passed over.
 */
export const smsEventRecordSchema = z.object({
  eventType: z.string().min(1),
  eventTimestamp: z.number().int().nonnegative(),
  messageId: z.string().min(1),
  destinationPhoneNumber: z.string().min(1),
  messageStatus: z.string().optional(),
  context: z.record(z.string(), z.string()).optional(),
});

/** A parsed SMS event record. */
export type SmsEventRecord = z.infer<typeof smsEventRecordSchema>;

/** A two-way SMS reply as End User Messaging publishes it to the number's SNS topic. */
export const inboundSmsSchema = z.object({
  originationNumber: z.string().min(1),
  destinationNumber: z.string().optional(),
  messageBody: z.string(),
  inboundMessageId: z.string().min(1),
  messageKeyword: z.string().optional(),
});

/** A parsed two-way SMS reply. */
export type InboundSms = z.infer<typeof inboundSmsSchema>;

/** What a text's final event says of the number: delivered, failed for now, failed for good, or blocked. */
export type SmsEventOutcome = "delivered" | "failed" | "invalid" | "blocked" | "ignored";

/**
 * The outcome of an event type: `TEXT_DELIVERED` and `TEXT_SUCCESSFUL` delivered (some countries send only one);
 * `TEXT_INVALID` failed for good (the number is not valid: SMS is suppressed); `TEXT_BLOCKED` blocked (the
 * recipient's device or carrier blocks texts to them, as an opt-out does: SMS consent is withdrawn); the other
 * failures (`TEXT_CARRIER_UNREACHABLE`, `TEXT_UNREACHABLE`, `TEXT_TTL_EXPIRED`, `TEXT_CARRIER_BLOCKED`,
 * `TEXT_SPAM`, `TEXT_INVALID_MESSAGE`, `TEXT_PROTECT_BLOCKED`, `TEXT_UNKNOWN`) failed this time; `TEXT_QUEUED`,
 * `TEXT_PENDING` and anything else ignored.
 */
export function smsEventOutcome(eventType: string): SmsEventOutcome {
  switch (eventType) {
    case "TEXT_DELIVERED":
    case "TEXT_SUCCESSFUL":
      return "delivered";
    case "TEXT_INVALID":
      return "invalid";
    case "TEXT_BLOCKED":
      return "blocked";
    case "TEXT_CARRIER_UNREACHABLE":
    case "TEXT_UNREACHABLE":
    case "TEXT_TTL_EXPIRED":
    case "TEXT_CARRIER_BLOCKED":
    case "TEXT_SPAM":
    case "TEXT_INVALID_MESSAGE":
    case "TEXT_PROTECT_BLOCKED":
    case "TEXT_UNKNOWN":
      return "failed";
    default:
      return "ignored";
  }
}
