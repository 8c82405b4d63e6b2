import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { CampaignSendCount, DispatchSummary } from "#shared/app/dispatch-sends.js";
import type { Observability } from "../middleware.js";
import { addCounts, logOutcome } from "./counts.js";

/**
 * Publishes `CampaignSends` once per campaign variant, with dimensions `campaign` and `variant` (plus the
 * `service` every metric carries). Each goes out as a single metric: an EMF record has one dimension set for
 * all its metrics, and these dimensions would not fit the batch's other counts.
 */
export function emitCampaignSends(metrics: Metrics, counts: readonly CampaignSendCount[]): void {
  for (const { campaign, variant, count } of counts) {
    metrics
      .singleMetric()
      .addDimensions({ campaign, variant })
      .addMetric("CampaignSends", MetricUnit.Count, count);
  }
}

/** The metrics and the log line of one dispatched batch of the sends queue. */
export function reportDispatch({ metrics, logger }: Observability, summary: DispatchSummary): void {
  addCounts(metrics, {
    SendsReceived: summary.received,
    SendsSent: summary.sent,
    SendsSkipped: summary.skipped,
    SendsHeldOut: summary.heldOut,
    SendsDeferred: summary.deferred,
    SendsDuplicate: summary.duplicates,
    SendsFailedRetryable: summary.failedRetryable,
    SendsFailedPermanent: summary.failedPermanent,
    SendsMalformed: summary.malformed,
    SendsUnrecorded: summary.unrecorded,
  });
  emitCampaignSends(metrics, summary.sentByVariant);
  logOutcome(
    logger,
    summary.failures.length > 0,
    { troubled: "sends dispatched with failures", healthy: "sends dispatched" },
    { summary },
  );
}
