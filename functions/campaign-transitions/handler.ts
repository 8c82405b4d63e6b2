import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { startTransitionJourneys } from "../../shared/app/campaign-transitions.js";
import { loadEnv } from "../../shared/lambda/env.js";
import { baseMiddlewareBundle, createObservability } from "../../shared/lambda/middleware.js";
import { campaignTransitionsEnvSchema } from "./env.js";
import { makeCampaignTransitionsDeps } from "./make-deps.js";

const env = loadEnv(campaignTransitionsEnvSchema);
const observability = createObservability({
  serviceName: env.POWERTOOLS_SERVICE_NAME,
  namespace: env.POWERTOOLS_METRICS_NAMESPACE,
});
const deps = makeCampaignTransitionsDeps(env);

/**
 * Segment transitions from the transitions queue start the journeys of segment-triggered campaigns. Messages
 * whose intents could not be handed on, and malformed ones, are reported as batch item failures: the first are
 * redelivered, the second end in the dead-letter queue with their body.
 */
export async function run(event: SQSEvent, _context: Context): Promise<SQSBatchResponse> {
  const { failed, summary } = await startTransitionJourneys(
    deps,
    event.Records.map((record) => ({ messageId: record.messageId, body: record.body })),
  );
  const { metrics, logger } = observability;
  metrics.addMetric("JourneysStarted", MetricUnit.Count, summary.journeys);
  metrics.addMetric("SendIntents", MetricUnit.Count, summary.intents);
  metrics.addMetric("TransitionsMalformed", MetricUnit.Count, summary.malformed);
  metrics.addMetric("TransitionsFailed", MetricUnit.Count, summary.failed);
  if (failed.size > 0) logger.warn("transitions not all handled", { summary });
  else logger.debug("transitions handled", { summary });
  return { batchItemFailures: [...failed].map((itemIdentifier) => ({ itemIdentifier })) };
}

export const handler = baseMiddlewareBundle<SQSEvent, SQSBatchResponse>(observability).handler(run);
