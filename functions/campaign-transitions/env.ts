import { z } from "zod";
import { campaignEnvShape } from "#shared/lambda/campaign-env.js";
import { timerGraceEnvShape } from "#shared/lambda/retention-env.js";

/**
 * The campaign-transitions function's environment: segment transitions (from the transitions queue) start the
 * journeys of segment-triggered campaigns.
 */
export const campaignTransitionsEnvSchema = z.object({
  /** Folder of segment definitions: campaigns' segment references are checked against it. */
  SEGMENTS_DIR: z.string().min(1),
  /** Due-time store: delayed steps become send timers. */
  TIMERS_TABLE: z.string().min(3),
  /** Where who entered and left each segment per day is recorded (the console); unset: not recorded. */
  SEGMENTS_TABLE: z.string().min(3).optional(),
  ...timerGraceEnvShape,
  ...campaignEnvShape,
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type CampaignTransitionsEnv = z.infer<typeof campaignTransitionsEnvSchema>;
