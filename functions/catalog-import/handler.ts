import type { Context, S3Event } from "aws-lambda";
import { type FeedObjectImport, importFeedObject } from "#shared/app/catalog/import-feed-object.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, observabilityFor } from "#shared/lambda/middleware.js";
import { reportCatalogImport } from "#shared/lambda/reports/catalog-import-report.js";
import { catalogImportEnvSchema } from "./env.js";
import { makeCatalogImportDeps } from "./make-deps.js";

const env = loadEnv(catalogImportEnvSchema);
const observability = observabilityFor(env);
const deps = makeCatalogImportDeps(env);

/**
 * Imports each feed (or resumes each checkpoint) the S3 event names. A failure throws: the asynchronous
 * invocation is retried once, then lands in the on-failure queue, and both raise an alarm.
 */
export async function run(event: S3Event, context: Context): Promise<FeedObjectImport[]> {
  const imports: FeedObjectImport[] = [];
  for (const record of event.Records) {
    // S3 event keys are URL-encoded, spaces as '+'.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
    const result = await importFeedObject(deps, key, () => context.getRemainingTimeInMillis());
    reportCatalogImport(observability, result);
    imports.push(result);
  }
  return imports;
}

export const handler = baseMiddlewareBundle<S3Event, FeedObjectImport[]>(observability).handler(run);
