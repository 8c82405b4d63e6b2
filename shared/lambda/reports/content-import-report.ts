import type { ContentObjectImport } from "#shared/app/content/import-content-object.js";
import type { Observability } from "../middleware.js";
import { addCounts } from "./counts.js";

/** Most refused rows named in the log line; the rest are counted (`ContentRowErrors`). */
const ERRORS_LOGGED = 50;

/**
 * The metrics and the log line of one content import: counts as metrics (`ContentRowErrors` counts the refused
 * rows), an info line with the report, a warning naming the refused rows (line, id, problems) when there are any.
 */
export function reportContentImport({ metrics, logger }: Observability, result: ContentObjectImport): void {
  const { report } = result;
  addCounts(metrics, {
    ContentRowsRead: report.rows,
    ContentItemsWritten: report.written,
    ContentItemsUnchanged: report.unchanged,
    ContentItemsRetired: report.retired.length,
    ContentRowErrors: report.errors.length,
  });
  const attributes = {
    contentKey: result.key,
    format: result.format,
    rows: report.rows,
    written: report.written,
    unchanged: report.unchanged,
    retired: report.retired,
    refused: report.errors.length,
    errors: report.errors.slice(0, ERRORS_LOGGED),
  };
  if (report.errors.length > 0) logger.warn("content library imported with refused rows", attributes);
  else logger.info("content library imported", attributes);
}
