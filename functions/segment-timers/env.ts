import { z } from "zod";
import { segmentEnvShape } from "#shared/lambda/segment-env.js";

/**
 * The segment-timers function's environment: it fires due timers (every minute, from an EventBridge schedule),
 * re-evaluating the customers' segments at the current time, and moves due send timers to the sends queue.
 */
export const segmentTimersEnvSchema = z.object({
  PROFILES_TABLE: z.string().min(3),
  ...segmentEnvShape,
  /** SQS queue of send intents: due send timers (campaign delays, deferred sends) are moved to it. */
  SENDS_QUEUE_URL: z.string().min(1),
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type SegmentTimersEnv = z.infer<typeof segmentTimersEnvSchema>;
