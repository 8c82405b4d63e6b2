import type { Context } from "aws-lambda";
import { z } from "zod";
import { fanOutSchedule, type ScheduleFanOutSummary } from "#shared/app/campaign-schedule.js";
import { EnvironmentError, loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, observabilityFor } from "#shared/lambda/middleware.js";
import { addCounts } from "#shared/lambda/reports/counts.js";
import { campaignScheduleEnvSchema } from "./env.js";
import { makeCampaignScheduleDeps } from "./make-deps.js";

const env = loadEnv(campaignScheduleEnvSchema);
const observability = observabilityFor(env);
const deps = makeCampaignScheduleDeps(env);

/** What each campaign's schedule rule passes (its target input): the campaign and the tick's time. */
const tickSchema = z.object({ campaignId: z.string().min(1), time: z.string().optional() });

/**
 * One tick of a scheduled campaign: fans its audience out through the sends queue. A failed run throws so
 * EventBridge retries it; the tick's time keys the sends, so a retry sends nothing twice.
 */
export async function run(event: unknown, _context: Context): Promise<ScheduleFanOutSummary> {
  const tick = tickSchema.safeParse(event);
  if (!tick.success) {
    throw new EnvironmentError(
      `the schedule rule's input is not { campaignId, time }: ${tick.error.message}`,
    );
  }
  const summary = await fanOutSchedule(deps, tick.data);
  addCounts(observability.metrics, { AudienceMembers: summary.members, SendIntents: summary.intents });
  observability.logger.info("scheduled campaign fanned out", { summary });
  return summary;
}

export const handler = baseMiddlewareBundle<unknown, ScheduleFanOutSummary>(observability).handler(run);
