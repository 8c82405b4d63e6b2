import { z } from "zod";

/**
 * The segment-timers function's environment: it fires due timers (every minute, from an EventBridge schedule),
 * re-evaluating the customers' segments at the current time.
 */
export const segmentTimersEnvSchema = z.object({
  PROFILES_TABLE: z.string().min(3),
  SEGMENTS_DIR: z.string().min(1),
  TIMERS_TABLE: z.string().min(3),
  SEGMENTS_TABLE: z.string().min(3),
  TRANSITIONS_QUEUE_URL: z.string().min(1),
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type SegmentTimersEnv = z.infer<typeof segmentTimersEnvSchema>;
