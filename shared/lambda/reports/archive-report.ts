import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { ArchiveTransformResult } from "#shared/app/archive-transform.js";
import type { Observability } from "../middleware.js";

/** The metric counting the records the transform could not wrap (the archive's alarm watches it). */
export const ARCHIVE_FAILED_METRIC = "ArchiveRecordsFailed";

/**
 * The metrics and log lines of one transformation: records wrapped, and each record that failed with its reason
 * (Firehose has written it under the error prefix, raw).
 */
export function reportArchive({ logger, metrics }: Observability, result: ArchiveTransformResult): void {
  metrics.addMetric("ArchiveRecords", MetricUnit.Count, result.archived);
  metrics.addMetric(ARCHIVE_FAILED_METRIC, MetricUnit.Count, result.failures.length);
  for (const failure of result.failures) {
    logger.warn("record not archived: Firehose files it under the error prefix", {
      recordId: failure.recordId,
      reason: failure.reason,
    });
  }
}
