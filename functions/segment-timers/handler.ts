import type { Context, ScheduledEvent } from "aws-lambda";
import { fireDueTimers } from "#shared/app/fire-due-timers.js";
import { fireSendTimers } from "#shared/app/fire-send-timers.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, observabilityFor } from "#shared/lambda/middleware.js";
import { reportTimers, type TimersRunSummary } from "#shared/lambda/reports/timers-report.js";
import { segmentTimersEnvSchema } from "./env.js";
import { makeSegmentTimersDeps, makeSendTimersDeps } from "./make-deps.js";

const env = loadEnv(segmentTimersEnvSchema);
const observability = observabilityFor(env);
const deps = makeSegmentTimersDeps(env);
const sendDeps = makeSendTimersDeps(env);

/**
 * Fires the due timers (EventBridge calls every minute): segment timers re-evaluate customers, send timers move
 * delayed campaign steps to the sends queue. Timers a failed run leaves behind stay due and fire on the next tick.
 */
export async function run(event: ScheduledEvent, _context: Context): Promise<TimersRunSummary> {
  const [segments, sends] = await Promise.all([fireDueTimers(deps), fireSendTimers(sendDeps)]);
  reportTimers(observability, { segments, sends }, event.time);
  return { segments, sends };
}

export const handler = baseMiddlewareBundle<ScheduledEvent, TimersRunSummary>(observability).handler(run);
