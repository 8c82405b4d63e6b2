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

/** Creates the logger and metrics for one function, named by its service. */
export function createObservability(options: { serviceName: string; namespace: string }): Observability {
  return {
    logger: new Logger({ serviceName: options.serviceName }),
    metrics: new Metrics({ namespace: options.namespace, serviceName: options.serviceName }),
  };
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
