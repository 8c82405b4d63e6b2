import type { FireTimersSummary } from "#shared/app/fire-due-timers.js";
import type { FireSendTimersSummary } from "#shared/app/fire-send-timers.js";
import type { Observability } from "../middleware.js";
import { addCounts, logOutcome } from "./counts.js";

/** What one tick did: segment timers fired, send timers moved to the sends queue. */
export interface TimersRunSummary {
  readonly segments: FireTimersSummary;
  readonly sends: FireSendTimersSummary;
}

/** The metrics and the log line of one tick of the timers. */
export function reportTimers(
  { metrics, logger }: Observability,
  run: TimersRunSummary,
  scheduledAt: string,
): void {
  const { segments, sends } = run;
  addCounts(metrics, {
    TimersDue: segments.due,
    SegmentTransitions: segments.transitions,
    ProfilesWritten: segments.profilesWritten,
    TimerWrites: segments.timerWrites,
    CounterWrites: segments.counterWrites,
    TimersFailed: segments.failed + segments.abandoned,
    SendTimersDue: sends.due,
    SendTimersFailed: sends.notEnqueued + sends.completeFailures,
  });
  const troubled =
    segments.failed +
      segments.abandoned +
      segments.counterFailures +
      sends.notEnqueued +
      sends.completeFailures >
    0;
  logOutcome(
    logger,
    troubled,
    { troubled: "timers fired with failures", healthy: "timers fired" },
    { summary: segments, sends, scheduledAt },
  );
}
