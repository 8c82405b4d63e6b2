import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, ScheduledEvent } from "aws-lambda";
import { type FireTimersSummary, fireDueTimers } from "../../shared/app/fire-due-timers.js";
import { type FireSendTimersSummary, fireSendTimers } from "../../shared/app/fire-send-timers.js";
import { loadEnv } from "../../shared/lambda/env.js";
import { baseMiddlewareBundle, createObservability } from "../../shared/lambda/middleware.js";
import { segmentTimersEnvSchema } from "./env.js";
import { makeSegmentTimersDeps, makeSendTimersDeps } from "./make-deps.js";

const env = loadEnv(segmentTimersEnvSchema);
const observability = createObservability({
  serviceName: env.POWERTOOLS_SERVICE_NAME,
  namespace: env.POWERTOOLS_METRICS_NAMESPACE,
});
const deps = makeSegmentTimersDeps(env);
const sendDeps = makeSendTimersDeps(env);

/** What one tick did: segment timers fired, send timers moved to the sends queue. */
export interface TimersRunSummary {
  readonly segments: FireTimersSummary;
  readonly sends: FireSendTimersSummary;
}

/**
 * Fires the due timers (EventBridge calls every minute): segment timers re-evaluate customers, send timers move
 * delayed campaign steps to the sends queue. Timers a failed run leaves behind stay due and fire on the next tick.
 */
export async function run(event: ScheduledEvent, _context: Context): Promise<TimersRunSummary> {
  const [summary, sends] = await Promise.all([fireDueTimers(deps), fireSendTimers(sendDeps)]);
  const { metrics, logger } = observability;
  metrics.addMetric("TimersDue", MetricUnit.Count, summary.due);
  metrics.addMetric("SegmentTransitions", MetricUnit.Count, summary.transitions);
  metrics.addMetric("ProfilesWritten", MetricUnit.Count, summary.profilesWritten);
  metrics.addMetric("TimerWrites", MetricUnit.Count, summary.timerWrites);
  metrics.addMetric("CounterWrites", MetricUnit.Count, summary.counterWrites);
  metrics.addMetric("TimersFailed", MetricUnit.Count, summary.failed + summary.abandoned);
  metrics.addMetric("SendTimersDue", MetricUnit.Count, sends.due);
  metrics.addMetric("SendTimersFailed", MetricUnit.Count, sends.notEnqueued + sends.completeFailures);
  const failures =
    summary.failed > 0 ||
    summary.abandoned > 0 ||
    summary.counterFailures > 0 ||
    sends.notEnqueued > 0 ||
    sends.completeFailures > 0;
  if (failures) logger.warn("timers fired with failures", { summary, sends, scheduledAt: event.time });
  else logger.debug("timers fired", { summary, sends, scheduledAt: event.time });
  return { segments: summary, sends };
}

export const handler = baseMiddlewareBundle<ScheduledEvent, TimersRunSummary>(observability).handler(run);
