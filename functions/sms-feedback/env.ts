import { z } from "zod";

/**
 * The SMS feedback function's environment: the configuration set's events and two-way replies (SNS) become Tailor
 * events on the stream; replies find their customer in the phone index of the profiles table.
 */
export const smsFeedbackEnvSchema = z.object({
  /** The Kinesis stream the events are put on. */
  EVENTS_STREAM: z.string().min(1),
  /** The profiles table, which holds the phone index (`p#…` entries, read only). */
  PROFILES_TABLE: z.string().min(3),
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type SmsFeedbackEnv = z.infer<typeof smsFeedbackEnvSchema>;
