import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { toApiRequest, toGatewayResult } from "#functions/api/gateway-event.js";
import { routeApiRequest } from "#shared/app/api/route-api-request.js";
import { customerHash } from "#shared/domain/privacy/customer-hash.js";
import { emptyProfile } from "#shared/domain/profile/index.js";
import { DependencyUnavailableError } from "#shared/errors.js";
import { gatewayEvent, harness } from "../api/api-harness.js";
import { privacyFakes } from "./privacy-fakes.js";

const NOW = Date.UTC(2026, 10, 23, 12);
const CALLER = "arn:aws:iam::123456789012:user/ops";

/** The event API Gateway sends for an admin route: the route key with its parameter, the IAM caller. */
function adminEvent(method: string, routePath: string, rawPath: string): APIGatewayProxyEventV2 {
  const event = gatewayEvent({ method, path: rawPath });
  const requestContext = {
    ...event.requestContext,
    routeKey: `${method} ${routePath}`,
    authorizer: { iam: { userArn: CALLER } },
  };
  return { ...event, routeKey: `${method} ${routePath}`, rawPath, requestContext };
}

function setup(withPrivacy = true) {
  const api = harness();
  const fakes = privacyFakes(NOW);
  const deps = withPrivacy ? { ...api.deps, privacy: fakes.deps } : api.deps;
  const call = async (event: APIGatewayProxyEventV2) => {
    const result = toGatewayResult(await routeApiRequest(deps, toApiRequest(event)));
    return { status: result.statusCode, body: result.body ?? "" };
  };
  return { fakes, call };
}

describe("admin routes", () => {
  it("DELETE /v1/customers/{id} erases the customer (id percent-decoded) and answers the receipt", async () => {
    // Prepare
    const { fakes, call } = setup();
    fakes.profiles.items.set("c 1/x", { profile: emptyProfile("c 1/x", NOW), itemBytes: 100 });
    // Act
    const response = await call(
      adminEvent("DELETE", "/v1/customers/{id}", `/v1/customers/${encodeURIComponent("c 1/x")}`),
    );
    // Assess
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({
      customerHash: customerHash("c 1/x"),
      deleted: { profiles: 1 },
      tombstone: "erased",
    });
    expect(fakes.profiles.items.has("c 1/x")).toBe(false);
    expect(fakes.audit.entries).toEqual([
      expect.objectContaining({ action: "customer.erased", actor: `api:${CALLER}` }),
    ]);
  });

  it("DELETE of an id Tailor holds nothing for answers 404 and writes nothing, unless ?block=true", async () => {
    const { fakes, call } = setup();
    const typo = await call(adminEvent("DELETE", "/v1/customers/{id}", "/v1/customers/c-typo"));
    expect(typo.status).toBe(404);
    expect(typo.body).toContain("block=true");
    expect(fakes.profiles.tombstones.size).toBe(0);
    expect(fakes.audit.entries).toEqual([]);

    const event = adminEvent("DELETE", "/v1/customers/{id}", "/v1/customers/c-typo");
    const blocked = await call({
      ...event,
      rawQueryString: "block=true",
      queryStringParameters: { block: "true" },
    });
    expect(blocked.status).toBe(200);
    expect(JSON.parse(blocked.body)).toMatchObject({ tombstone: "blocked" });
    expect(fakes.profiles.tombstones.get("c-typo")).toMatchObject({ kind: "blocked" });
  });

  it("GET /v1/customers/{id}/export answers the export document", async () => {
    const { fakes, call } = setup();
    fakes.profiles.items.set("c-1", { profile: emptyProfile("c-1", NOW), itemBytes: 100 });
    const response = await call(adminEvent("GET", "/v1/customers/{id}/export", "/v1/customers/c-1/export"));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ customerId: "c-1", profile: { customerId: "c-1" } });
    expect(fakes.audit.entries.map((e) => e.action)).toEqual(["customer.exported"]);
  });

  it("refuses an id that does not decode, and other methods", async () => {
    const { call } = setup();
    expect((await call(adminEvent("DELETE", "/v1/customers/{id}", "/v1/customers/%E0%A4%A"))).status).toBe(
      400,
    );
    expect((await call(adminEvent("POST", "/v1/customers/{id}", "/v1/customers/c-1"))).status).toBe(405);
  });

  it("answers 404 when the API has no erasure configured", async () => {
    const { call } = setup(false);
    expect((await call(adminEvent("DELETE", "/v1/customers/{id}", "/v1/customers/c-1"))).status).toBe(404);
  });

  it("maps an unreachable store to 503, saying nothing more", async () => {
    const { fakes, call } = setup();
    fakes.profiles.items.set("c-1", { profile: emptyProfile("c-1", NOW), itemBytes: 100 });
    fakes.ledger.erase = async () => {
      throw new DependencyUnavailableError("ledger down");
    };
    const response = await call(adminEvent("DELETE", "/v1/customers/{id}", "/v1/customers/c-1"));
    expect(response.status).toBe(503);
    expect(response.body).not.toContain("ledger down");
  });
});
