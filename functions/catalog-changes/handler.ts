import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { emptyCatalogSummary, startCatalogJourneys } from "#shared/app/catalog-changes.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, observabilityFor } from "#shared/lambda/middleware.js";
import { reportCatalogChanges } from "#shared/lambda/reports/catalog-changes-report.js";
import { catalogChangesEnvSchema } from "./env.js";
import { makeCatalogChangesDeps } from "./make-deps.js";

const env = loadEnv(catalogChangesEnvSchema);
const observability = observabilityFor(env);
const deps = makeCatalogChangesDeps(env);
const processor = new BatchProcessor(EventType.SQS);

/**
 * Catalog changes from the catalog changes queue start the journeys of catalog-triggered campaigns, one message
 * at a time; Powertools reports the messages that failed (intents not handed on, a body that is not a change) as
 * batch item failures: redelivered, and after the queue's receive limit kept in its dead-letter queue.
 */
export async function run(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  const summary = emptyCatalogSummary();
  const handle = async (record: SQSRecord) => {
    try {
      await startCatalogJourneys(deps, record.body, summary);
    } catch (error) {
      observability.logger.warn("catalog change not handled", { messageId: record.messageId, error });
      throw error;
    }
  };
  const response = await processPartialResponse(event, handle, processor, { context });
  reportCatalogChanges(observability, summary, response.batchItemFailures.length);
  return response;
}

export const handler = baseMiddlewareBundle<SQSEvent, SQSBatchResponse>(observability).handler(run);
