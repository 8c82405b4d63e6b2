import { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context } from "aws-lambda";

/** The observability pair every function gets: a structured logger and an EMF metrics emitter. */
export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * Creates the logger and metrics for one function, named by its service. The logger masks every email address
 * it would print (see {@link redactLogValue}), in the message and in every attribute, errors included.
 */
export function createObservability(options: { serviceName: string; namespace: string }): Observability {
  const logger = new Logger({ serviceName: options.serviceName, jsonReplacerFn: redactLogValue });
  // Metrics' own warnings (an invocation that failed before counting anything) go through the function's logger,
  // as structured lines at its level, not raw to the console.
  return {
    logger,
    metrics: new Metrics({ namespace: options.namespace, serviceName: options.serviceName, logger }),
  };
}

/** The observability of a function, named by its environment's Powertools service name and metrics namespace. */
export function observabilityFor(env: {
  readonly POWERTOOLS_SERVICE_NAME: string;
  readonly POWERTOOLS_METRICS_NAMESPACE: string;
}): Observability {
  return createObservability({
    serviceName: env.POWERTOOLS_SERVICE_NAME,
    namespace: env.POWERTOOLS_METRICS_NAMESPACE,
  });
}

/**
 * An address, plain or URL-encoded (`%40`). The local part leaves out the rarer characters RFC 5322 allows
 * (`/ = ? & { | }`) so that a URL or a JSON fragment around an address is not swallowed with it. It may only
 * start where no local-part character precedes it, so each run of text is scanned once: no quadratic
 * backtracking on hostile log input.
 */
const EMAIL =
  /(?<![\p{L}\p{N}._%+'!#$*^~-])([\p{L}\p{N}._%+'!#$*^~-]+)(@|%40)([\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+)/giu;

/** Masks every email address in `text`: `jane@example.com` → `j***@example.com`. */
export function redactEmails(text: string): string {
  if (!text.includes("@") && !text.includes("%40")) return text;
  return text.replace(EMAIL, (_match, local: string, at: string, domain: string) => {
    // By code point, so an address starting with an emoji is not cut in half.
    const first = Array.from(local)[0] ?? "";
    return `${first}***${at}${domain}`;
  });
}

/**
 * The logger's JSON replacer: runs on every value it serialises (the message, each attribute, and the fields of
 * formatted errors), masking email addresses in strings and in the keys of plain objects.
 */
export function redactLogValue(_key: string, value: unknown): unknown {
  if (typeof value === "string") return redactEmails(value);
  if (isPlainObject(value) && Object.keys(value).some((key) => redactEmails(key) !== key)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [redactEmails(key), item]));
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The one middleware bundle of every handler, in a fixed order: logger context first (so everything after it
 * logs with the request id), then metrics (flushed after the handler, even when it throws).
 */
export function baseMiddlewareBundle<TEvent, TResult>(observability: Observability) {
  return middy<TEvent, TResult, Error, Context>()
    .use(injectLambdaContext(observability.logger, { resetKeys: true }))
    .use(logMetrics(observability.metrics));
}
