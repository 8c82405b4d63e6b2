import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { AlarmTopic } from "#infra/components/alarm-topic.js";
import { resolveApiReservedConcurrency } from "#infra/components/api-settings.js";
import { AuditStore } from "#infra/components/audit-store.js";
import { resolveCampaignSettings } from "#infra/components/campaign-settings.js";
import { EventStream } from "#infra/components/event-stream.js";
import {
  CONTENT_API_ROUTES,
  PUBLIC_ROUTE_KEYS,
  PublicApi,
  type PublicApiProps,
  SEGMENT_API_ROUTES,
} from "#infra/components/http-api.js";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import { LinkSecret } from "#infra/components/link-secret.js";
import { ProfileStore } from "#infra/components/profile-store.js";
import { Quarantine } from "#infra/components/quarantine.js";
import { SendLedger } from "#infra/components/send-ledger.js";
import { TimerStore } from "#infra/components/timer-store.js";
import { WriteKeyStore } from "#infra/components/write-key-store.js";
import { LOCAL_NAME_TAG, LOCAL_NAMES } from "#infra/local-names.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { defaultApp } from "./shared-app.js";
import { actionsOn, logicalIdOf, type Statement, statementsOf } from "./template-queries.js";

/** The execution role of a function of the app. */
function roleOf(fn: IFunction): IConstruct {
  if (fn.role === undefined) throw new Error(`${fn.node.path} has no role`);
  return fn.role;
}

/** The actions of `statements` on a DynamoDB table, without the prefix, sorted. */
const tableActions = (statements: readonly Statement[], table: IConstruct): string[] =>
  [...new Set(actionsOn(statements, logicalIdOf(table)))]
    .filter((action) => action.startsWith("dynamodb:"))
    .map((action) => action.slice("dynamodb:".length))
    .sort();

describe("privacy infrastructure", () => {
  let stack: TailorStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN the app as the local stack builds it (stack.test.ts checks cdk-nag on the checked build)
    // WHEN it is synthesised (once per worker, shared by the CDK test files)
    ({ stack, template } = defaultApp());
  });

  const resourceOf = (construct: IConstruct) => template.toJSON().Resources[logicalIdOf(construct)];

  describe("audit table", () => {
    it("is keyed pk/sk, on demand, with PITR, its own key, deletion protection, retained, named tailor-audit", () => {
      // THEN
      expect(resourceOf(stack.audit.table)).toMatchObject({
        Type: "AWS::DynamoDB::Table",
        DeletionPolicy: "Retain",
        UpdateReplacePolicy: "Retain",
        Properties: {
          KeySchema: [
            { AttributeName: "pk", KeyType: "HASH" },
            { AttributeName: "sk", KeyType: "RANGE" },
          ],
          AttributeDefinitions: [
            { AttributeName: "pk", AttributeType: "S" },
            { AttributeName: "sk", AttributeType: "S" },
          ],
          BillingMode: "PAY_PER_REQUEST",
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: {
            SSEEnabled: true,
            SSEType: "KMS",
            KMSMasterKeyId: stack.resolve(stack.audit.key.keyArn),
          },
          DeletionProtectionEnabled: true,
          Tags: [{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.auditTable }],
        },
      });
      expect(resourceOf(stack.audit.key)).toMatchObject({
        Type: "AWS::KMS::Key",
        DeletionPolicy: "Retain",
        Properties: { EnableKeyRotation: true },
      });
    });

    it("is append-only: ingest may put, the API may put and query, and no role may update or delete", () => {
      // THEN
      const ingest = statementsOf(template, roleOf(stack.ingest.function));
      const api = statementsOf(template, roleOf(stack.api.function));
      expect(tableActions(ingest, stack.audit.table)).toEqual(["PutItem"]);
      expect(tableActions(api, stack.audit.table)).toEqual(["PutItem", "Query"]);
      const everyone = tableActions(statementsOf(template), stack.audit.table);
      expect(everyone).not.toContain("UpdateItem");
      expect(everyone).not.toContain("DeleteItem");
      expect(everyone).not.toContain("BatchWriteItem");
      // The writers may use the table's key to encrypt what they put.
      for (const statements of [ingest, api]) {
        expect(actionsOn(statements, logicalIdOf(stack.audit.key))).toEqual(
          expect.arrayContaining(["kms:Decrypt", "kms:GenerateDataKey*"]),
        );
      }
    });

    it("is named to ingest and the API as AUDIT_TABLE", () => {
      // THEN
      const auditRef = stack.resolve(stack.audit.table.tableName);
      for (const fn of [stack.ingest.function, stack.api.function]) {
        expect(resourceOf(fn).Properties.Environment.Variables.AUDIT_TABLE).toEqual(auditRef);
      }
    });
  });

  describe("admin routes", () => {
    it("erase and export through the API function, IAM-authorised; /confirm is public like the other pages", () => {
      // THEN
      const routes = Object.values(template.findResources("AWS::ApiGatewayV2::Route")).map((route) => ({
        key: route.Properties.RouteKey,
        auth: route.Properties.AuthorizationType,
        target: route.Properties.Target,
      }));
      const integration = Object.keys(template.findResources("AWS::ApiGatewayV2::Integration"));
      expect(integration).toHaveLength(1);
      const target = { "Fn::Join": ["", ["integrations/", { Ref: integration[0] }]] };
      expect(routes).toEqual(
        expect.arrayContaining([
          { key: "DELETE /v1/customers/{id}", auth: "AWS_IAM", target },
          { key: "GET /v1/customers/{id}/export", auth: "AWS_IAM", target },
          { key: "GET /confirm", auth: "NONE", target },
          { key: "POST /confirm", auth: "NONE", target },
        ]),
      );
      // Everything under /v1/ takes IAM-signed requests only, but Segment's routes and on-site content (their
      // write key is checked by the function); everything else is a public page.
      const segment = new Set(
        [...SEGMENT_API_ROUTES, ...CONTENT_API_ROUTES].map(({ method, path }) => `${method} ${path}`),
      );
      for (const route of routes) {
        const admin = route.key.split(" ")[1]?.startsWith("/v1/") === true && !segment.has(route.key);
        expect(route.auth, route.key).toBe(admin ? "AWS_IAM" : "NONE");
      }
    });

    it("names every store erasure empties to the API function", () => {
      // THEN
      expect(resourceOf(stack.api.function).Properties.Environment.Variables).toMatchObject({
        PROFILES_TABLE: stack.resolve(stack.profiles.table.tableName),
        SEND_LEDGER_TABLE: stack.resolve(stack.ledger.table.tableName),
        TIMERS_TABLE: stack.resolve(stack.timers.table.tableName),
        QUARANTINE_BUCKET: stack.resolve(stack.quarantine.bucket.bucketName),
        AUDIT_TABLE: stack.resolve(stack.audit.table.tableName),
      });
    });

    it("lets the API function delete what erasure deletes, and no more", () => {
      // THEN
      const api = statementsOf(template, roleOf(stack.api.function));
      expect(tableActions(api, stack.profiles.table)).toEqual(
        expect.arrayContaining(["BatchGetItem", "DeleteItem", "GetItem", "PutItem"]),
      );
      expect(tableActions(api, stack.profiles.table)).not.toContain("UpdateItem");
      expect(tableActions(api, stack.ledger.table)).toEqual(["BatchWriteItem", "Query"]);
      // The timers: found by Query on the customer index only (retention-stack.test.ts), deleted one by one
      expect(tableActions(api, stack.timers.table)).toEqual(["DeleteItem", "Query"]);
      // The segment membership index: the customer's entries overwritten by erasure markers (conditional puts);
      // the console reads sizes, their history, RFM thresholds and experiment counters (GetItem, Query).
      expect(tableActions(api, stack.segments.table)).toEqual(["GetItem", "PutItem", "Query"]);
      // The quarantine: listed, read and deleted, every version of a record (the bucket is versioned), never written
      const bucket = actionsOn(api, logicalIdOf(stack.quarantine.bucket)).sort();
      expect(bucket).toEqual([
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:ListBucket",
        "s3:ListBucketVersions",
      ]);
      expect(actionsOn(api, logicalIdOf(stack.quarantine.key))).toContain("kms:Decrypt");
      // Each key the API's writes need, and only on those tables' keys
      for (const key of [stack.profiles.key, stack.ledger.key, stack.timers.key, stack.segments.key]) {
        expect(actionsOn(api, logicalIdOf(key))).toContain("kms:GenerateDataKey*");
      }
      // Nothing else of the segments table than its erasure markers and the console's reads: no delete, no scan.
      expect(tableActions(api, stack.segments.table)).not.toContain("DeleteItem");
      expect(tableActions(api, stack.segments.table)).not.toContain("Scan");
    });
  });

  describe("throttling and concurrency", () => {
    it("reserves none of the API function's concurrency by default (low-quota accounts could not create it)", () => {
      // THEN
      expect(resourceOf(stack.api.function).Properties.ReservedConcurrentExecutions).toBeUndefined();
    });

    it("throttles each public route below the stage, and the stage waits for those routes", () => {
      // THEN
      const stages = Object.values(template.findResources("AWS::ApiGatewayV2::Stage"));
      expect(stages).toHaveLength(1);
      const stage = stages[0];
      const stageLimits = stage?.Properties.DefaultRouteSettings;
      expect(stageLimits).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
      const settings = stage?.Properties.RouteSettings;
      expect(Object.keys(settings).sort()).toEqual(
        [
          "GET /confirm",
          "POST /confirm",
          "GET /preferences",
          "GET /unsubscribe",
          "POST /preferences",
          "POST /unsubscribe",
        ].sort(),
      );
      for (const key of PUBLIC_ROUTE_KEYS) {
        expect(settings[key]).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
      }
      // CloudFormation refuses route settings naming a route that does not exist yet.
      const publicRoutes = Object.entries(template.findResources("AWS::ApiGatewayV2::Route"))
        .filter(([, route]) => PUBLIC_ROUTE_KEYS.includes(route.Properties.RouteKey))
        .map(([id]) => id);
      expect(publicRoutes).toHaveLength(PUBLIC_ROUTE_KEYS.length);
      expect(stage?.DependsOn).toEqual(expect.arrayContaining(publicRoutes));
    });

    it("takes the reservation from the CDK context, as `cdk deploy -c apiReservedConcurrency=…` gives it", () => {
      // GIVEN
      const node = (context: Record<string, unknown>) => new App({ context }).node;
      // WHEN / THEN (the stack handing it to the function: test/long/stack-variants.long.ts)
      expect(resolveApiReservedConcurrency({}, node({}))).toBeUndefined();
      expect(resolveApiReservedConcurrency({}, node({ apiReservedConcurrency: "7" }))).toBe(7);
      expect(resolveApiReservedConcurrency({}, node({ apiReservedConcurrency: "none" }))).toBeUndefined();
      expect(
        resolveApiReservedConcurrency({ apiReservedConcurrency: 3 }, node({ apiReservedConcurrency: "7" })),
      ).toBe(3);
      for (const bad of ["0", "2.5", "many", "-1"]) {
        expect(() => resolveApiReservedConcurrency({}, node({ apiReservedConcurrency: bad }))).toThrow(
          InfraConfigError,
        );
      }
    });

    it("takes the limits from props, and rejects public limits above the stage's or a bad reservation", () => {
      // GIVEN the stores the API is wired to, in a small stack of their own
      const other = new Stack(new App({ context: { "aws:cdk:bundling-stacks": [] } }), "Scratch");
      const props: PublicApiProps = {
        stream: new EventStream(other, "Events").stream,
        profiles: new ProfileStore(other, "Profiles").table,
        ledger: new SendLedger(other, "Ledger").table,
        timers: new TimerStore(other, "Timers").table,
        quarantineBucket: new Quarantine(other, "Quarantine").bucket,
        audit: new AuditStore(other, "Audit"),
        linkSecret: new LinkSecret(other, "LinkSecret").secret,
        writeKeys: new WriteKeyStore(other, "WriteKeys"),
        settings: resolveCampaignSettings(LOCAL_STACK_SETTINGS, other.node),
        alarmTopic: new AlarmTopic(other, "Alarms", { destination: { kind: "email", addresses: [] } }).topic,
      };
      // WHEN
      const custom = new PublicApi(other, "Custom", {
        ...props,
        reservedConcurrency: 5,
        publicRateLimit: 2,
        publicBurstLimit: 4,
      });
      // THEN
      const scratch = Template.fromStack(other);
      expect(
        scratch.toJSON().Resources[logicalIdOf(custom.function)].Properties.ReservedConcurrentExecutions,
      ).toBe(5);
      const stages = Object.values(scratch.findResources("AWS::ApiGatewayV2::Stage"));
      expect(stages).toHaveLength(1);
      expect(stages[0]?.Properties.RouteSettings["GET /unsubscribe"]).toEqual({
        ThrottlingRateLimit: 2,
        ThrottlingBurstLimit: 4,
      });
      expect(() => new PublicApi(other, "Above", { ...props, publicRateLimit: 60 })).toThrow(
        InfraConfigError,
      );
      expect(() => new PublicApi(other, "Burst", { ...props, publicBurstLimit: 101 })).toThrow(
        /must not exceed/,
      );
      expect(() => new PublicApi(other, "Zero", { ...props, publicRateLimit: 0 })).toThrow(/public routes/);
      expect(() => new PublicApi(other, "None", { ...props, reservedConcurrency: 0 })).toThrow(
        /reservedConcurrentExecutions/,
      );
    });
  });
});
