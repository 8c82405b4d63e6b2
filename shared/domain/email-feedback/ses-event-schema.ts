import { z } from "zod";

/**
 * SES event publishing to EventBridge: the event a configuration set's EventBridge destination puts on the
 * default bus (`source` `aws.ses`, `detail-type` such as `Email Delivered`, `Email Complaint Received`), with the
 * SES event record as `detail`. Only what Tailor reads is checked; other fields are dropped.
 */

const time = z.string().min(1);
const addresses = z.array(z.string());

/** Message tags as SES publishes them: every tag name with its values (`ses:*` tags included). */
export const sesTagsSchema = z.record(z.string(), z.array(z.string()));

/** `detail.mail`: the email the event is about. */
export const sesMailSchema = z.object({
  /** When the email was sent (ISO 8601). */
  timestamp: time,
  /** The SES message id (what `SendEmail` answered). */
  messageId: z.string().min(1),
  source: z.string().optional(),
  sendingAccountId: z.string().optional(),
  destination: addresses.optional(),
  headersTruncated: z.boolean().optional(),
  tags: sesTagsSchema.optional(),
});

const recipient = z.object({ emailAddress: z.string() });

/** `detail.delivery`, for `Delivery`. */
export const sesDeliverySchema = z.object({
  timestamp: time,
  processingTimeMillis: z.number().optional(),
  recipients: addresses.optional(),
  smtpResponse: z.string().optional(),
  reportingMTA: z.string().optional(),
});

/** `detail.open`, for `Open`. */
export const sesOpenSchema = z.object({
  timestamp: time,
  ipAddress: z.string().optional(),
  userAgent: z.string().optional(),
});

/** `detail.click`, for `Click`. */
export const sesClickSchema = z.object({
  timestamp: time,
  link: z.string().min(1),
  linkTags: sesTagsSchema.optional(),
  ipAddress: z.string().optional(),
  userAgent: z.string().optional(),
});

/** `detail.bounce`, for `Bounce`: `Permanent` (hard), `Transient` (soft) or `Undetermined`. */
export const sesBounceSchema = z.object({
  timestamp: time,
  bounceType: z.string().min(1),
  bounceSubType: z.string().optional(),
  bouncedRecipients: z.array(recipient).optional(),
  feedbackId: z.string().optional(),
  reportingMTA: z.string().optional(),
});

/** `detail.complaint`, for `Complaint`. */
export const sesComplaintSchema = z.object({
  timestamp: time,
  complainedRecipients: z.array(recipient).optional(),
  complaintFeedbackType: z.string().optional(),
  complaintSubType: z.string().nullish(),
  feedbackId: z.string().optional(),
  userAgent: z.string().optional(),
  arrivalDate: z.string().optional(),
});

/** `detail`: the SES event record (`eventType` `Delivery`, `Open`, `Click`, `Bounce`, `Complaint`, `Send`, …). */
export const sesEventDetailSchema = z.object({
  eventType: z.string().min(1),
  mail: sesMailSchema,
  delivery: sesDeliverySchema.optional(),
  open: sesOpenSchema.optional(),
  click: sesClickSchema.optional(),
  bounce: sesBounceSchema.optional(),
  complaint: sesComplaintSchema.optional(),
});

/** The SES event record carried as an EventBridge event's `detail`. */
export type SesEventDetail = z.infer<typeof sesEventDetailSchema>;

/** The EventBridge envelope around an SES event. */
export const sesEventBridgeEventSchema = z.object({
  version: z.string().optional(),
  id: z.string().min(1),
  "detail-type": z.string().min(1),
  source: z.string().min(1),
  account: z.string().optional(),
  time: time,
  region: z.string().optional(),
  resources: z.array(z.string()).optional(),
  detail: sesEventDetailSchema,
});

/** An SES event as EventBridge delivers it to a rule's target, checked. */
export type SesEventBridgeEvent = z.infer<typeof sesEventBridgeEventSchema>;
