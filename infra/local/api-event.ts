import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEventV2, Context } from "aws-lambda";
import { z } from "zod";
import { localAccountId } from "./sdk-env.js";

/** A Lambda handler behind an HTTP API route (payload format 2.0; middy-wrapped or plain). */
export type ApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** An HTTP request as the local server read it. */
export interface ApiRequest {
  readonly method: string;
  /** The request target: path and query string, as sent. */
  readonly url: string;
  /** Header names and values in arrival order (Node's `rawHeaders`, paired). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly protocol: string;
}

/** Where the request went: the API, its stage and the matched route. */
export interface ApiTarget {
  readonly apiId: string;
  readonly stage: string;
  readonly routeKey: string;
  readonly pathParameters: Readonly<Record<string, string>> | undefined;
}

// Passed to the function as text; any other body is base64-encoded, as API Gateway does.
const TEXT_TYPES = [
  /^text\//,
  /^application\/(.+\+)?json\b/,
  /^application\/(.+\+)?xml\b/,
  /^application\/javascript\b/,
];

/** Whether API Gateway passes a body of this `content-type` as text. */
export function isTextContent(contentType: string | undefined): boolean {
  const type = (contentType ?? "").trim().toLowerCase();
  return TEXT_TYPES.some((pattern) => pattern.test(type));
}

function clf(date: Date): string {
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${pad(date.getUTCDate())}/${months[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

/**
 * The `APIGatewayProxyEventV2` API Gateway gives the function for `request`: the raw path and query string,
 * query parameters and headers (lower-cased names, repeated values joined with commas), cookies apart, the body
 * as text or base64, and the request context of the matched route.
 */
export function toApiEvent(request: ApiRequest, target: ApiTarget, now: number): APIGatewayProxyEventV2 {
  const [rawPath = "/", rawQueryString = ""] = request.url.split(/\?(.*)/s, 2);
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [name, value] of request.headers) {
    const key = name.toLowerCase();
    if (key === "cookie") {
      cookies.push(...value.split(/;\s*/).filter((c) => c !== ""));
      continue;
    }
    const previous = headers[key];
    headers[key] = previous === undefined ? value : `${previous},${value}`;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    const previous = query[name];
    query[name] = previous === undefined ? value : `${previous},${value}`;
  }
  const host = headers.host ?? "127.0.0.1";
  // A compressed body is bytes whatever its type says: passed base64-encoded, never decoded as UTF-8 text.
  const encoding = (headers["content-encoding"] ?? "identity").trim().toLowerCase();
  const text = isTextContent(headers["content-type"]) && (encoding === "identity" || encoding === "");
  const hasBody = request.body.length > 0;
  const event: APIGatewayProxyEventV2 = {
    version: "2.0",
    routeKey: target.routeKey,
    rawPath,
    rawQueryString,
    headers,
    requestContext: {
      accountId: localAccountId,
      apiId: target.apiId,
      domainName: host,
      domainPrefix: host.split(".")[0] ?? host,
      http: {
        method: request.method.toUpperCase(),
        path: rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: randomUUID(),
      routeKey: target.routeKey,
      stage: target.stage,
      time: clf(new Date(now)),
      timeEpoch: now,
    },
    isBase64Encoded: hasBody && !text,
  };
  if (cookies.length > 0) event.cookies = cookies;
  if (Object.keys(query).length > 0) event.queryStringParameters = query;
  if (target.pathParameters !== undefined) event.pathParameters = { ...target.pathParameters };
  if (hasBody) event.body = text ? request.body.toString("utf8") : request.body.toString("base64");
  return event;
}

/** An HTTP response to write. */
export interface ApiResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
}

const structuredSchema = z.looseObject({
  statusCode: z.number().int().min(100).max(599),
  headers: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional(),
  cookies: z.array(z.string()).optional(),
});

/**
 * The HTTP response API Gateway makes of a function's result (payload format 2.0): a structured result as it
 * says (a base64 body decoded, cookies as `set-cookie`); anything else is a 200 `application/json` whose body is
 * the result (a string as it is, other values as JSON).
 */
export function fromApiResult(result: unknown): ApiResponse {
  const structured = structuredSchema.safeParse(result);
  if (!structured.success) {
    const body = typeof result === "string" ? result : (JSON.stringify(result) ?? "");
    return { statusCode: 200, headers: { "content-type": "application/json" }, body: Buffer.from(body) };
  }
  const { statusCode, headers = {}, body = "", isBase64Encoded = false, cookies = [] } = structured.data;
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = String(value);
  if (cookies.length > 0) out["set-cookie"] = cookies;
  if (out["content-type"] === undefined && body !== "") out["content-type"] = "application/json";
  return { statusCode, headers: out, body: Buffer.from(body, isBase64Encoded ? "base64" : "utf8") };
}

/** API Gateway's own answer when the function failed (threw, timed out, or returned something unusable). */
export const internalServerError: ApiResponse = {
  statusCode: 500,
  headers: { "content-type": "application/json" },
  body: Buffer.from('{"message":"Internal Server Error"}'),
};

/** API Gateway's answer when no route matches. */
export const notFound: ApiResponse = {
  statusCode: 404,
  headers: { "content-type": "application/json" },
  body: Buffer.from('{"message":"Not Found"}'),
};
