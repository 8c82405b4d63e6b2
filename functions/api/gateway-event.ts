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

/**
 * Who called, as API Gateway's authorizers put it in the request context (absent without one): the IAM
 * caller's ARN, or the console operator of a JWT (Cognito) authorizer: their email (else `sub`) and groups.
 */
function callerOf(event: APIGatewayProxyEventV2): { caller?: string; callerGroups?: readonly string[] } {
  const authorizer = field(event.requestContext, "authorizer");
  const arn = field(field(authorizer, "iam"), "userArn");
  if (typeof arn === "string" && arn !== "") return { caller: arn };
  const claims = field(field(authorizer, "jwt"), "claims");
  const email = field(claims, "email");
  const sub = field(claims, "sub");
  const who = typeof email === "string" && email !== "" ? email : typeof sub === "string" ? sub : "";
  if (who === "") return {};
  return { caller: who, callerGroups: groupsOf(field(claims, "cognito:groups")) };
}

/** A property of an object, `undefined` for anything else. */
function field(value: unknown, name: string): unknown {
  return typeof value === "object" && value !== null ? Reflect.get(value, name) : undefined;
}

/**
 * The `cognito:groups` claim: a JSON array in the token, but the HTTP API's JWT authorizer passes an array claim
 * flattened to text, `[tailor-admins tailor-viewers]`; both are read.
 */
function groupsOf(claim: unknown): readonly string[] {
  if (Array.isArray(claim))
    return claim.filter((group: unknown): group is string => typeof group === "string");
  if (typeof claim !== "string") return [];
  return claim
    .replace(/^\[|\]$/g, "")
    .split(/[\s,]+/)
    .filter((group) => group !== "");
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
