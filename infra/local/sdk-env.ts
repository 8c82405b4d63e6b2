import type { Endpoints } from "./emulators.js";

/** The region every local resource lives in. */
export const localRegion = "us-east-1";
/** The account id the emulators put in their ARNs (and fauxqs in its queue URLs). */
export const localAccountId = "000000000000";

/**
 * The variables that make an unchanged `new XClient({})` talk to the emulators: region, static dummy
 * credentials, and the SDK's standard per-service `AWS_ENDPOINT_URL_<SERVICE>`. Endpoints use 127.0.0.1, not
 * `localhost`: for an IP endpoint the S3 client addresses buckets path-style by itself (no `forcePathStyle`).
 */
export function sdkEnvironment(endpoints: Endpoints): Record<string, string> {
  return {
    AWS_REGION: localRegion,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_KINESIS: endpoints.kinesis,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SESV2: endpoints.sesv2,
  };
}

/**
 * Sets `vars` in `process.env` and returns a function that puts back what was there before (tests start and
 * stop the stack several times in one process).
 */
export function applyEnvironment(vars: Readonly<Record<string, string>>): () => void {
  const previous = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(vars)) {
    if (!previous.has(key)) previous.set(key, process.env[key]);
    process.env[key] = value;
  }
  return () => {
    for (const [key, value] of previous) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/** `export NAME=value` lines a developer can paste to point their own SDK code at the stack. */
export function exportLines(vars: Readonly<Record<string, string>>): string[] {
  return Object.entries(vars).map(([key, value]) => `export ${key}=${value}`);
}
