/**
 * The API function as deployed behind the console's sign-in (`ADMIN_AUTH=jwt`): its handler module, fed API
 * Gateway's payload 2.0 events as the HTTP API sends them, with and without what its authorizers put in the
 * request context. Defence in depth: the template's authorizers (test/infra/console-stack.test.ts) refuse these
 * calls first; the function refuses them too.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { toApiRequest } from "#functions/api/gateway-event.js";
import { ADMIN_GROUP, adminAccessRefusal, VIEWER_GROUP } from "#shared/app/api/admin-access.js";
import { apiLambdaContext, gatewayEvent, NOW } from "./api-harness.js";

const dynamodb = mockClient(DynamoDBClient);
let handler: (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

beforeAll(async () => {
  // No call may reach a store: every request here is refused or unknown.
  dynamodb.onAnyCommand().rejects(new Error("the function reached DynamoDB"));
  for (const [name, value] of Object.entries({
    AWS_REGION: "eu-west-1",
    EVENTS_STREAM: "tailor-events",
    PROFILES_TABLE: "tailor-profiles",
    SEND_LEDGER_TABLE: "tailor-ledger",
    TIMERS_TABLE: "tailor-timers",
    QUARANTINE_BUCKET: "tailor-quarantine",
    AUDIT_TABLE: "tailor-audit",
    WRITE_KEYS_TABLE: "tailor-write-keys",
    LINK_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tailor-link-secret-AbCdEf",
    SHOP_NAME: "Acme Shop",
    SHOP_URL: "https://shop.example.com/",
    CORS_ALLOWED_ORIGINS: "*",
    ADMIN_AUTH: "jwt",
    POWERTOOLS_SERVICE_NAME: "tailor-api",
    POWERTOOLS_METRICS_NAMESPACE: "Tailor",
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  })) {
    vi.stubEnv(name, value);
  }
  // The unit project shares modules between files: load the handler anew, with this file's environment.
  vi.resetModules();
  ({ handler } = await import("#functions/api/handler.js"));
});

afterAll(() => {
  vi.unstubAllEnvs();
  dynamodb.restore();
});

const context = apiLambdaContext(NOW);

/** What an authorizer put in the request context, if anything. */
type Credentials =
  | { readonly kind: "none" }
  | { readonly kind: "iam"; readonly userArn: string }
  | { readonly kind: "jwt"; readonly claims: Record<string, string | string[]> };

/** The customer data routes as the HTTP API routes them: route key and a request path. */
const CUSTOMER_ROUTES = [
  { method: "DELETE", routeKey: "DELETE /v1/customers/{id}", path: "/v1/customers/c-42" },
  { method: "GET", routeKey: "GET /v1/customers/{id}/export", path: "/v1/customers/c-42/export" },
  { method: "GET", routeKey: "ANY /v1/admin/{proxy+}", path: "/v1/admin/customers" },
  { method: "GET", routeKey: "ANY /v1/admin/{proxy+}", path: "/v1/admin/customers/c-42" },
  { method: "GET", routeKey: "ANY /v1/admin/{proxy+}", path: "/v1/admin/customers/c-42/explanation" },
  { method: "GET", routeKey: "ANY /v1/admin/{proxy+}", path: "/v1/admin/customers/c-42/export" },
  { method: "DELETE", routeKey: "ANY /v1/admin/{proxy+}", path: "/v1/admin/customers/c-42" },
  { method: "POST", routeKey: "ANY /v1/admin/{proxy+}", path: "/v1/admin/segments/preview" },
] as const;

function eventFor(
  route: { readonly method: string; readonly routeKey: string; readonly path: string },
  credentials: Credentials,
): APIGatewayProxyEventV2 {
  const base = gatewayEvent({ method: route.method, path: route.path });
  const authorizer =
    credentials.kind === "iam"
      ? { iam: { userArn: credentials.userArn } }
      : credentials.kind === "jwt"
        ? { jwt: { claims: credentials.claims, scopes: null } }
        : undefined;
  return {
    ...base,
    routeKey: route.routeKey,
    requestContext: {
      ...base.requestContext,
      routeKey: route.routeKey,
      ...(authorizer === undefined ? {} : { authorizer }),
    },
  };
}

/** An operator's ID token claims as the HTTP API's JWT authorizer passes them (array claims flattened). */
function operator(groups: readonly string[]): Credentials {
  return {
    kind: "jwt",
    claims: { sub: "3f1c-operator", email: "ops@shop.example", "cognito:groups": `[${groups.join(" ")}]` },
  };
}

const statusOf = async (event: APIGatewayProxyEventV2) => (await handler(event, context)).statusCode;

describe("the admin API's authorization on AWS, in the API function", () => {
  it.each(CUSTOMER_ROUTES)("answers $method $path without credentials with 401", async (route) => {
    const result = await handler(eventFor(route, { kind: "none" }), context);
    expect(result.statusCode).toBe(401);
    expect(String(result.body)).not.toContain("c-42@");
    expect(dynamodb.calls()).toHaveLength(0);
  });

  it("refuses operators in neither console group, and changes or exports by viewers, with 403", async () => {
    const nobody = operator([]);
    const viewer = operator([VIEWER_GROUP]);
    const [read, exported, erased, preview] = [3, 5, 6, 7].map((i) => CUSTOMER_ROUTES[i]);
    if (read === undefined || exported === undefined || erased === undefined || preview === undefined) {
      throw new Error("the routes table changed");
    }
    expect(await statusOf(eventFor(read, nobody))).toBe(403);
    expect(await statusOf(eventFor(exported, viewer))).toBe(403);
    expect(await statusOf(eventFor(erased, viewer))).toBe(403);
    expect(await statusOf(eventFor(preview, viewer))).toBe(403);
  });

  it("lets a signed-in viewer read and an admin change through to the router", async () => {
    // An admin path no route serves: 404 from the router, so the check let it through (and no store was read).
    const unknownRead = { method: "GET", routeKey: "ANY /v1/admin/{proxy+}", path: "/v1/admin/no-such-page" };
    const unknownChange = { ...unknownRead, method: "DELETE" };
    expect(await statusOf(eventFor(unknownRead, operator([VIEWER_GROUP])))).toBe(404);
    expect(await statusOf(eventFor(unknownChange, operator([ADMIN_GROUP, VIEWER_GROUP])))).toBe(404);
    expect(await statusOf(eventFor(unknownChange, operator([VIEWER_GROUP])))).toBe(403);
  });

  it("leaves the public pages to their signed links", async () => {
    const page = { method: "GET", routeKey: "GET /unsubscribe", path: "/unsubscribe" };
    // No token: the page's own answer (400), not the admin check's.
    expect(await statusOf(eventFor(page, { kind: "none" }))).toBe(400);
  });
});

describe("the caller, from API Gateway's request context", () => {
  it("reads the operator's email and groups from the JWT claims, flattened or as an array", () => {
    const route = CUSTOMER_ROUTES[3];
    if (route === undefined) throw new Error("the routes table changed");
    const flattened = toApiRequest(eventFor(route, operator([ADMIN_GROUP, VIEWER_GROUP])));
    expect(flattened.caller).toBe("ops@shop.example");
    expect(flattened.callerGroups).toEqual([ADMIN_GROUP, VIEWER_GROUP]);
    const array = toApiRequest(
      eventFor(route, { kind: "jwt", claims: { sub: "3f1c-operator", "cognito:groups": [VIEWER_GROUP] } }),
    );
    expect(array).toMatchObject({ caller: "3f1c-operator", callerGroups: [VIEWER_GROUP] });
  });

  it("takes an IAM caller's ARN, without groups, for the IAM-signed routes", () => {
    const route = CUSTOMER_ROUTES[0];
    const arn = "arn:aws:iam::123456789012:user/privacy-officer";
    const request = toApiRequest(eventFor(route, { kind: "iam", userArn: arn }));
    expect(request).toMatchObject({ caller: arn });
    expect(request.callerGroups).toBeUndefined();
    expect(adminAccessRefusal(request)).toBeUndefined();
  });
});
