import type { TransitionJourneySummary } from "#shared/app/campaign-transitions.js";
import type { Observability } from "../middleware.js";
import { addCounts, logOutcome } from "./counts.js";

/** The metrics and the log line of one batch of the transitions queue. */
export function reportTransitions(
  { metrics, logger }: Observability,
  summary: TransitionJourneySummary,
  failures: number,
): void {
  addCounts(metrics, {
    JourneysStarted: summary.journeys,
    SendIntents: summary.intents,
    TransitionsMalformed: summary.malformed,
    TransitionsFailed: summary.failed,
  });
  logOutcome(
    logger,
    failures > 0,
    { troubled: "transitions not all handled", healthy: "transitions handled" },
    { summary },
  );
}
