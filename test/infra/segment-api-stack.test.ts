import { App } from "aws-cdk-lib";
import type { Template } from "aws-cdk-lib/assertions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { resolveApiCorsOrigins } from "#infra/components/api-settings.js";
import { SEGMENT_API_ROUTES } from "#infra/components/http-api.js";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import { LOCAL_NAME_TAG, LOCAL_NAMES } from "#infra/local-names.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { SEGMENT_POST_PATHS } from "#shared/app/api/segment-routes.js";
import { defaultApp } from "./shared-app.js";
import { actionsOn, logicalIdOf, statementsOf } from "./template-queries.js";

/** The execution role of a function of the app. */
function roleOf(fn: IFunction): IConstruct {
  if (fn.role === undefined) throw new Error(`${fn.node.path} has no role`);
  return fn.role;
}

describe("Segment's HTTP Tracking API on AWS", () => {
  let stack: TailorStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN the app as the local stack builds it (stack.test.ts checks cdk-nag on the checked build)
    ({ stack, template } = defaultApp());
  });

  const resourceOf = (construct: IConstruct) => template.toJSON().Resources[logicalIdOf(construct)];

  it("keeps write keys in a table of their own: pk/sk, on demand, PITR, own rotating key, retained, local name", () => {
    // THEN
    expect(resourceOf(stack.writeKeys.table)).toMatchObject({
      Type: "AWS::DynamoDB::Table",
      DeletionPolicy: "Retain",
      Properties: {
        KeySchema: [
          { AttributeName: "pk", KeyType: "HASH" },
          { AttributeName: "sk", KeyType: "RANGE" },
        ],
        BillingMode: "PAY_PER_REQUEST",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true, KMSMasterKeyId: stack.resolve(stack.writeKeys.key.keyArn) },
        DeletionProtectionEnabled: true,
        Tags: [{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.writeKeysTable }],
      },
    });
    expect(resourceOf(stack.writeKeys.key).Properties).toMatchObject({ EnableKeyRotation: true });
  });

  it("lets the API function only read keys by hash (GetItem), and no other function touch the table", () => {
    // THEN
    const api = statementsOf(template, roleOf(stack.api.function));
    expect(actionsOn(api, logicalIdOf(stack.writeKeys.table)).sort()).toEqual(["dynamodb:GetItem"]);
    expect(actionsOn(api, logicalIdOf(stack.writeKeys.key)).sort()).toEqual([
      "kms:Decrypt",
      "kms:DescribeKey",
    ]);
    const everyone = actionsOn(statementsOf(template), logicalIdOf(stack.writeKeys.table));
    expect([...new Set(everyone)]).toEqual(["dynamodb:GetItem"]);
  });

  it("routes every Segment path without an authorizer, with its preflight, and keeps /v1/events IAM-signed", () => {
    // THEN
    const routes = new Map(
      Object.values(template.findResources("AWS::ApiGatewayV2::Route")).map((route) => [
        route.Properties.RouteKey,
        route.Properties.AuthorizationType,
      ]),
    );
    for (const path of [
      "/v1/batch",
      "/v1/import",
      "/v1/track",
      "/v1/identify",
      "/v1/page",
      "/v1/screen",
      "/v1/group",
      "/v1/alias",
    ]) {
      expect(SEGMENT_POST_PATHS).toContain(path);
    }
    for (const path of SEGMENT_POST_PATHS) {
      expect(routes.get(`POST ${path}`), path).toBe("NONE");
      expect(routes.get(`OPTIONS ${path}`), path).toBe("NONE");
    }
    expect(routes.get("GET /v1/projects/{writeKey}/settings")).toBe("NONE");
    expect(routes.get("POST /v1/events")).toBe("AWS_IAM");
    expect(SEGMENT_API_ROUTES).toHaveLength(SEGMENT_POST_PATHS.length * 2 + 2);
  });

  it("names the table and the allowed origins to the API function, and outputs the table for `tailor keys`", () => {
    // THEN
    expect(resourceOf(stack.api.function).Properties.Environment.Variables).toMatchObject({
      WRITE_KEYS_TABLE: stack.resolve(stack.writeKeys.table.tableName),
      CORS_ALLOWED_ORIGINS: "*",
    });
    expect(template.toJSON().Outputs.WriteKeysTable.Value).toEqual(
      stack.resolve(stack.writeKeys.table.tableName),
    );
  });

  it("takes the allowed origins from props or context, and refuses what is not an origin", () => {
    const node = (context: Record<string, unknown>) => new App({ context }).node;
    expect(resolveApiCorsOrigins({}, node({}))).toBe("*");
    expect(
      resolveApiCorsOrigins({}, node({ apiCorsOrigins: "https://a.example, https://b.example:8443" })),
    ).toBe("https://a.example,https://b.example:8443");
    expect(
      resolveApiCorsOrigins({ apiCorsOrigins: "https://p.example" }, node({ apiCorsOrigins: "*" })),
    ).toBe("https://p.example");
    for (const bad of ["", "shop.example.com", "https://a.example/path", "https://a.example,*"]) {
      expect(() => resolveApiCorsOrigins({}, node({ apiCorsOrigins: bad }))).toThrow(InfraConfigError);
    }
  });
});
