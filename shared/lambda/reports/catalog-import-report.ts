import type { FeedObjectImport } from "#shared/app/catalog/import-feed-object.js";
import type { Observability } from "../middleware.js";
import { addCounts } from "./counts.js";

/**
 * The metrics and the log line of one feed import: counts as metrics (`CatalogRowErrors` is what an operator
 * alarms or looks at), and always an info line with the report (an import is rare and worth a line), a warning
 * when rows were refused or retirement was skipped.
 */
export function reportCatalogImport({ metrics, logger }: Observability, result: FeedObjectImport): void {
  const { report } = result;
  addCounts(metrics, {
    CatalogRowsRead: report.read,
    CatalogProductsNew: report.new,
    CatalogProductsChanged: report.changed,
    CatalogProductsUnchanged: report.unchanged,
    CatalogProductsRetired: report.retired,
    CatalogRowErrors: report.errors,
    CatalogChanges: report.changes,
    CatalogWriteUnits: report.writeUnits,
  });
  const attributes = { feedKey: result.feedKey, report, checkpointKey: result.checkpointKey };
  if (report.errors > 0 || report.retirementSkipped !== undefined) {
    logger.warn("catalog feed imported with refused rows or skipped retirement", attributes);
  } else logger.info("catalog feed imported", attributes);
}
