import type { CatalogJourneySummary } from "#shared/app/catalog-changes.js";
import type { Observability } from "../middleware.js";
import { addCounts, logOutcome } from "./counts.js";

/** The metrics and the log line of one batch of the catalog changes queue. */
export function reportCatalogChanges(
  { metrics, logger }: Observability,
  summary: CatalogJourneySummary,
  failures: number,
): void {
  addCounts(metrics, {
    CatalogChanges: summary.changes,
    CatalogWatchers: summary.watchers,
    JourneysStarted: summary.journeys,
    SendIntents: summary.intents,
    CatalogChangesFailed: failures,
  });
  logOutcome(
    logger,
    failures > 0,
    { troubled: "catalog changes not all handled", healthy: "catalog changes handled" },
    { summary, failures },
  );
}
