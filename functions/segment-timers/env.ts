import { z } from "zod";
import { segmentEnvShape } from "../../shared/lambda/segment-env.js";

/**
 * The segment-timers function's environment: it fires due timers (every minute, from an EventBridge schedule),
 * re-evaluating the customers' segments at the current time.
 */
export const segmentTimersEnvSchema = z.object({
  PROFILES_TABLE: z.string().min(3),
  ...segmentEnvShape,
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type SegmentTimersEnv = z.infer<typeof segmentTimersEnvSchema>;
