import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { type DispatchDeps, dispatchSends } from "#shared/app/dispatch-sends.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, observabilityFor } from "#shared/lambda/middleware.js";
import { batchItemFailures } from "#shared/lambda/reports/counts.js";
import { reportDispatch } from "#shared/lambda/reports/dispatch-report.js";
import { dispatchEnvSchema } from "./env.js";
import { makeDispatchDeps } from "./make-deps.js";

const env = loadEnv(dispatchEnvSchema);
const observability = observabilityFor(env);
const deps: DispatchDeps = await makeDispatchDeps(env);

/**
 * Dispatches a batch of the sends queue and reports the messages to deliver again. The batch is handled as a
 * whole (not record by record) so that one customer's intents are decided in priority order.
 */
export async function run(event: SQSEvent, _context: Context): Promise<SQSBatchResponse> {
  const messages = event.Records.map((record) => ({ messageId: record.messageId, body: record.body }));
  const { failed, summary } = await dispatchSends(deps, messages);
  reportDispatch(observability, summary);
  return batchItemFailures(failed);
}

export const handler = baseMiddlewareBundle<SQSEvent, SQSBatchResponse>(observability).handler(run);
