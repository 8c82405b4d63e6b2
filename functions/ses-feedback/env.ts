import { z } from "zod";
import { ledgerRetentionEnvShape } from "#shared/lambda/retention-env.js";

/** The SES feedback function's environment: SES events (from EventBridge) become Tailor events on the stream. */
export const sesFeedbackEnvSchema = z.object({
  /** The Kinesis stream the engagement events are put on. */
  EVENTS_STREAM: z.string().min(1),
  /** The send ledger: SES's `Send` events are recorded in it by send key (PutItem only). */
  LEDGER_TABLE: z.string().min(3),
  ...ledgerRetentionEnvShape,
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type SesFeedbackEnv = z.infer<typeof sesFeedbackEnvSchema>;
