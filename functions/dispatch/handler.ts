import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { type CampaignSendCount, type DispatchDeps, dispatchSends } from "../../shared/app/dispatch-sends.js";
import { loadEnv } from "../../shared/lambda/env.js";
import { baseMiddlewareBundle, createObservability } from "../../shared/lambda/middleware.js";
import { dispatchEnvSchema } from "./env.js";
import { makeDispatchDeps } from "./make-deps.js";

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

const env = loadEnv(dispatchEnvSchema);
const observability = createObservability({
  serviceName: env.POWERTOOLS_SERVICE_NAME,
  namespace: env.POWERTOOLS_METRICS_NAMESPACE,
});
const deps: DispatchDeps = await makeDispatchDeps(env);

/**
 * Dispatches a batch of the sends queue and reports the messages to deliver again. The batch is handled as a
 * whole (not record by record) so that one customer's intents are decided in priority order.
 */
export async function run(event: SQSEvent, _context: Context): Promise<SQSBatchResponse> {
  const { failed, summary } = await dispatchSends(
    deps,
    event.Records.map((record) => ({ messageId: record.messageId, body: record.body })),
  );
  const { metrics, logger } = observability;
  metrics.addMetric("SendsReceived", MetricUnit.Count, summary.received);
  metrics.addMetric("SendsSent", MetricUnit.Count, summary.sent);
  metrics.addMetric("SendsSkipped", MetricUnit.Count, summary.skipped);
  metrics.addMetric("SendsHeldOut", MetricUnit.Count, summary.heldOut);
  metrics.addMetric("SendsDeferred", MetricUnit.Count, summary.deferred);
  metrics.addMetric("SendsDuplicate", MetricUnit.Count, summary.duplicates);
  metrics.addMetric("SendsFailedRetryable", MetricUnit.Count, summary.failedRetryable);
  metrics.addMetric("SendsFailedPermanent", MetricUnit.Count, summary.failedPermanent);
  metrics.addMetric("SendsMalformed", MetricUnit.Count, summary.malformed);
  metrics.addMetric("SendsUnrecorded", MetricUnit.Count, summary.unrecorded);
  emitCampaignSends(metrics, summary.sentByVariant);
  if (summary.failures.length > 0) logger.warn("sends dispatched with failures", { summary });
  else logger.debug("sends dispatched", { summary });
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

export const handler = baseMiddlewareBundle<SQSEvent, SQSBatchResponse>(observability).handler(run);
