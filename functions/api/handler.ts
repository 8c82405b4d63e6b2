import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { routeApiRequest } from "#shared/app/api/route-api-request.js";
import { loggablePath } from "#shared/app/api/segment-routes.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, observabilityFor } from "#shared/lambda/middleware.js";
import { reportApiResponse } from "#shared/lambda/reports/api-report.js";
import { apiEnvSchema } from "./env.js";
import { toApiRequest, toGatewayResult } from "./gateway-event.js";
import { makeApiDeps } from "./make-deps.js";

const env = loadEnv(apiEnvSchema);
const observability = observabilityFor(env);
const deps = makeApiDeps(env);

/**
 * Unsubscribe and preference pages, `POST /v1/events`, and Segment's HTTP Tracking API. The pages are authorised
 * by their signed link, on AWS `/v1/events` sits behind an IAM authorizer (AWS_IAM), and the Segment routes
 * check their write key in the use case.
 */
export async function run(
  event: APIGatewayProxyEventV2,
  _context: Context,
): Promise<APIGatewayProxyStructuredResultV2> {
  const response = await routeApiRequest(deps, toApiRequest(event), (error, request) =>
    observability.logger.error("request failed", {
      error,
      method: request.method,
      // Never a write key: the settings path holds one.
      path: loggablePath(request.path),
    }),
  );
  reportApiResponse(observability, response.status);
  return toGatewayResult(response);
}

export const handler = baseMiddlewareBundle<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(
  observability,
).handler(run);
