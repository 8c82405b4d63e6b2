import { z } from "zod";
import { campaignEnvShape } from "#shared/lambda/campaign-env.js";
import { timerGraceEnvShape } from "#shared/lambda/retention-env.js";

/**
 * The campaign-schedule function's environment: an EventBridge rule per scheduled campaign invokes it with the
 * campaign id; it fans the audience out through the sends queue, page by page.
 */
export const campaignScheduleEnvSchema = z.object({
  PROFILES_TABLE: z.string().min(3),
  /** Folder of segment definitions: campaigns' segment references are checked against it. */
  SEGMENTS_DIR: z.string().min(1),
  /** Due-time store: delayed steps become send timers. */
  TIMERS_TABLE: z.string().min(3),
  ...timerGraceEnvShape,
  ...campaignEnvShape,
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type CampaignScheduleEnv = z.infer<typeof campaignScheduleEnvSchema>;
