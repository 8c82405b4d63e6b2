import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { adminAccessRefusal } from "#shared/app/api/admin-access.js";
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
  const request = toApiRequest(event);
  // Behind the console's sign-in, the function checks the caller too (the authorizers come first).
  const refused = env.ADMIN_AUTH === "jwt" ? adminAccessRefusal(request) : undefined;
  const response =
    refused ??
    (await routeApiRequest(deps, request, (error, failed) =>
      observability.logger.error("request failed", {
        error,
        method: failed.method,
        // Never a write key: the settings path holds one.
        path: loggablePath(failed.path),
      }),
    ));
  reportApiResponse(observability, response.status);
  return toGatewayResult(response);
}

export const handler = baseMiddlewareBundle<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>(
  observability,
).handler(run);
