import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { startTransitionJourneys } from "#shared/app/campaign-transitions.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, observabilityFor } from "#shared/lambda/middleware.js";
import { batchItemFailures } from "#shared/lambda/reports/counts.js";
import { reportTransitions } from "#shared/lambda/reports/transitions-report.js";
import { campaignTransitionsEnvSchema } from "./env.js";
import { makeCampaignTransitionsDeps } from "./make-deps.js";

const env = loadEnv(campaignTransitionsEnvSchema);
const observability = observabilityFor(env);
const deps = makeCampaignTransitionsDeps(env);

/**
 * Segment transitions from the transitions queue start the journeys of segment-triggered campaigns. Messages
 * whose intents could not be handed on, and malformed ones, are reported as batch item failures: the first are
 * redelivered, the second end in the dead-letter queue with their body.
 */
export async function run(event: SQSEvent, _context: Context): Promise<SQSBatchResponse> {
  const messages = event.Records.map((record) => ({ messageId: record.messageId, body: record.body }));
  const { failed, summary } = await startTransitionJourneys(deps, messages);
  reportTransitions(observability, summary, failed.size);
  return batchItemFailures(failed);
}

export const handler = baseMiddlewareBundle<SQSEvent, SQSBatchResponse>(observability).handler(run);
