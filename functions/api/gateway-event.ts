import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { ApiRequest, ApiResponse } from "#shared/app/api/api-http.js";

/** API Gateway (payload format 2.0) → the API's request: lower-case headers, body bytes, query parameters. */
export function toApiRequest(event: APIGatewayProxyEventV2): ApiRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const body =
    event.body === undefined
      ? new Uint8Array()
      : Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8");
  return {
    method: event.requestContext.http.method.toUpperCase(),
    // The route path without the stage, e.g. `/unsubscribe` (`rawPath` keeps a named stage's prefix).
    path: routePath(event),
    query: new URLSearchParams(event.rawQueryString ?? ""),
    headers,
    body,
    ...callerOf(event),
  };
}

/** The IAM caller's ARN, which API Gateway's IAM authorizer puts in the request context (absent elsewhere). */
function callerOf(event: APIGatewayProxyEventV2): { caller?: string } {
  const authorizer: unknown = Reflect.get(event.requestContext, "authorizer");
  if (typeof authorizer !== "object" || authorizer === null) return {};
  const iam: unknown = Reflect.get(authorizer, "iam");
  if (typeof iam !== "object" || iam === null) return {};
  const arn: unknown = Reflect.get(iam, "userArn");
  return typeof arn === "string" && arn !== "" ? { caller: arn } : {};
}

function routePath(event: APIGatewayProxyEventV2): string {
  const routeKey = event.routeKey.split(" ")[1];
  if (routeKey?.startsWith("/") && !routeKey.includes("{")) return routeKey;
  const stage = event.requestContext.stage;
  const prefix = stage === undefined || stage === "$default" ? "" : `/${stage}`;
  return prefix !== "" && event.rawPath.startsWith(`${prefix}/`)
    ? event.rawPath.slice(prefix.length)
    : event.rawPath;
}

/** The API's response → API Gateway's structured result. */
export function toGatewayResult(response: ApiResponse): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: response.status,
    headers: { ...response.headers },
    body: response.body,
    isBase64Encoded: false,
  };
}
