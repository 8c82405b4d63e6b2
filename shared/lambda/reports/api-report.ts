import type { Observability } from "../middleware.js";
import { addCounts } from "./counts.js";

/**
 * Counts one answered request by status class (`ApiResponses2xx` … `ApiResponses5xx`): the dashboard and alarms
 * read failures there, and every invocation publishes a metric (so Powertools has no empty flush to warn about).
 */
export function reportApiResponse({ metrics }: Observability, status: number): void {
  const statusClass = Math.min(5, Math.max(1, Math.floor(status / 100)));
  addCounts(metrics, { [`ApiResponses${statusClass}xx`]: 1 });
}
