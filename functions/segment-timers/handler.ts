import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, ScheduledEvent } from "aws-lambda";
import { type FireTimersSummary, fireDueTimers } from "../../shared/app/fire-due-timers.js";
import { loadEnv } from "../../shared/lambda/env.js";
import { baseMiddlewareBundle, createObservability } from "../../shared/lambda/middleware.js";
import { segmentTimersEnvSchema } from "./env.js";
import { makeSegmentTimersDeps } from "./make-deps.js";

const env = loadEnv(segmentTimersEnvSchema);
const observability = createObservability({
  serviceName: env.POWERTOOLS_SERVICE_NAME,
  namespace: env.POWERTOOLS_METRICS_NAMESPACE,
});
const deps = makeSegmentTimersDeps(env);

/** Fires the due timers (EventBridge calls every minute); timers a failed run leaves behind stay due and fire on the next tick. */
export async function run(event: ScheduledEvent, _context: Context): Promise<FireTimersSummary> {
  const summary = await fireDueTimers(deps);
  const { metrics, logger } = observability;
  metrics.addMetric("TimersDue", MetricUnit.Count, summary.due);
  metrics.addMetric("SegmentTransitions", MetricUnit.Count, summary.transitions);
  metrics.addMetric("ProfilesWritten", MetricUnit.Count, summary.profilesWritten);
  metrics.addMetric("TimerWrites", MetricUnit.Count, summary.timerWrites);
  metrics.addMetric("CounterWrites", MetricUnit.Count, summary.counterWrites);
  metrics.addMetric("TimersFailed", MetricUnit.Count, summary.failed + summary.abandoned);
  if (summary.failed > 0 || summary.abandoned > 0 || summary.counterFailures > 0) {
    logger.warn("timers fired with failures", { summary, scheduledAt: event.time });
  } else logger.debug("timers fired", { summary, scheduledAt: event.time });
  return summary;
}

export const handler = baseMiddlewareBundle<ScheduledEvent, FireTimersSummary>(observability).handler(run);
