import type { Context, FirehoseTransformationResult } from "aws-lambda";
import { archiveFirehoseRecords, parseFirehoseTransformationEvent } from "#shared/app/archive-transform.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, type Observability, observabilityFor } from "#shared/lambda/middleware.js";
import { reportArchive } from "#shared/lambda/reports/archive-report.js";
import { archiveEnvSchema } from "./env.js";

// No composition root: the transform has no dependency, it maps records to lines.
const env = loadEnv(archiveEnvSchema);
const observability = observabilityFor(env);

/**
 * Firehose's data transformation for the raw event archive: each record becomes one line of the archive, or
 * `ProcessingFailed` (Firehose then writes it raw under the error prefix). An event that is no transformation
 * event throws, so Firehose retries it and then files the whole batch under the error prefix: nothing is lost.
 */
export async function runWith(
  observability: Observability,
  event: unknown,
): Promise<FirehoseTransformationResult> {
  const result = archiveFirehoseRecords(parseFirehoseTransformationEvent(event));
  reportArchive(observability, result);
  return { records: result.response.records.map((record) => ({ ...record })) };
}

/** The Lambda entry point's core, with this container's observability. */
export function run(event: unknown, _context: Context): Promise<FirehoseTransformationResult> {
  return runWith(observability, event);
}

export const handler = baseMiddlewareBundle<unknown, FirehoseTransformationResult>(observability).handler(
  run,
);
