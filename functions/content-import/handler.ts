import type { S3Event } from "aws-lambda";
import { type ContentObjectImport, importContentObject } from "#shared/app/content/import-content-object.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, observabilityFor } from "#shared/lambda/middleware.js";
import { reportContentImport } from "#shared/lambda/reports/content-import-report.js";
import { contentImportEnvSchema } from "./env.js";
import { makeContentImportDeps } from "./make-deps.js";

const env = loadEnv(contentImportEnvSchema);
const observability = observabilityFor(env);
const deps = makeContentImportDeps(env);

/**
 * Imports each content library file the S3 event names. Refused rows are reported (log and metrics), not thrown;
 * a failure (a wrong name, a file that is not its format, an outage) throws: the asynchronous invocation is
 * retried once, then lands in the catalog import's failures queue, whose alarm fires.
 */
export async function run(event: S3Event): Promise<ContentObjectImport[]> {
  const imports: ContentObjectImport[] = [];
  for (const record of event.Records) {
    // S3 event keys are URL-encoded, spaces as '+'.
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
    const result = await importContentObject(deps, key);
    reportContentImport(observability, result);
    imports.push(result);
  }
  return imports;
}

export const handler = baseMiddlewareBundle<S3Event, ContentObjectImport[]>(observability).handler(run);
