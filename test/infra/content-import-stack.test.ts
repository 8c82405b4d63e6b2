import { Match, type Template } from "aws-cdk-lib/assertions";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { contentImportEnvSchema } from "#functions/content-import/env.js";
import { LOCAL_NAME_TAG, LOCAL_NAMES } from "#infra/local-names.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { FEEDS_PREFIX } from "#shared/app/catalog-feed/feed-location.js";
import { CONTENT_PREFIX } from "#shared/app/content/import-content-object.js";
import { defaultApp } from "./shared-app.js";
import { actionsOn, environmentWithPlaceholders, logicalIdOf, statementsOf } from "./template-queries.js";

describe("content import infrastructure (the feed bucket's content/ prefix)", () => {
  // GIVEN the app as the local stack builds it, WHEN synthesised (once, shared by the CDK test files)
  let app: { readonly stack: TailorStack; readonly template: Template };
  beforeAll(() => {
    app = defaultApp();
  });
  const idOf = (construct: IConstruct) => logicalIdOf(construct);
  const arnOf = (construct: IConstruct) => ({ "Fn::GetAtt": [idOf(construct), "Arn"] });

  it("starts the content import for objects created under content/ and the catalog import for feeds/", () => {
    const { catalog, contentImport } = app.stack;
    app.template.hasResourceProperties("Custom::S3BucketNotifications", {
      BucketName: { Ref: idOf(catalog.feedBucket) },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: Match.arrayWith([
          {
            Events: ["s3:ObjectCreated:*"],
            Filter: { Key: { FilterRules: [{ Name: "prefix", Value: FEEDS_PREFIX }] } },
            LambdaFunctionArn: arnOf(catalog.importFunction),
          },
          {
            Events: ["s3:ObjectCreated:*"],
            Filter: { Key: { FilterRules: [{ Name: "prefix", Value: CONTENT_PREFIX }] } },
            LambdaFunctionArn: arnOf(contentImport.importFunction),
          },
        ]),
      },
    });
    const notifications = Object.values(app.template.findResources("Custom::S3BucketNotifications"));
    const contentTargets = JSON.stringify(notifications).split(`"${idOf(contentImport.importFunction)}"`);
    // Exactly one notification reaches the content import: the content/ prefix.
    expect(contentTargets).toHaveLength(2);
  });

  it("lets only the content import write the content table, and it only what the import calls", () => {
    const { content, contentImport, catalog } = app.stack;
    const table = idOf(content.table);
    const importer = contentImport.importFunction.role;
    if (importer === undefined) throw new Error("the content import has no role");
    expect(new Set(actionsOn(statementsOf(app.template, importer), table))).toEqual(
      new Set(["dynamodb:Scan", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
    );
    expect(actionsOn(statementsOf(app.template, catalog.importFunction.role), table)).toEqual([]);
    const writers = Object.entries(app.template.findResources("AWS::IAM::Policy")).filter(([, policy]) =>
      JSON.stringify(policy.Properties.PolicyDocument.Statement)
        .split("},{")
        .some((statement) => statement.includes(`"${table}"`) && /PutItem|UpdateItem|\*"/.test(statement)),
    );
    expect(writers).toHaveLength(1);
    expect(JSON.stringify(writers[0]?.[1].Properties.Roles)).toContain(idOf(importer));
  });

  it("reads only content/ of the feed bucket, and cannot reach the catalog table", () => {
    const { catalog, contentImport } = app.stack;
    const statements = statementsOf(app.template, contentImport.importFunction.role);
    const onBucket = statements.filter((s) => JSON.stringify(s.Resource).includes(idOf(catalog.feedBucket)));
    expect(onBucket.length).toBeGreaterThan(0);
    for (const statement of onBucket) {
      expect(statement.Action.every((action) => /^s3:(Get|List)/.test(action))).toBe(true);
      expect(JSON.stringify(statement.Resource)).toContain(`/${CONTENT_PREFIX}*`);
      expect(JSON.stringify(statement.Resource)).not.toContain(`/${FEEDS_PREFIX}*`);
    }
    expect(actionsOn(statements, idOf(catalog.table))).toEqual([]);
  });

  it("sends failed imports, after one retry, to the catalog import's failures queue", () => {
    const { catalog, contentImport } = app.stack;
    app.template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: idOf(contentImport.importFunction) },
      MaximumRetryAttempts: 1,
      DestinationConfig: { OnFailure: { Destination: arnOf(catalog.importFailuresQueue) } },
    });
  });

  it("configures the function with an environment its schema accepts and its local name", () => {
    const { contentImport } = app.stack;
    const resource = app.template.toJSON().Resources[idOf(contentImport.importFunction)];
    expect(
      contentImportEnvSchema.safeParse(environmentWithPlaceholders(resource, "placeholder")).success,
    ).toBe(true);
    app.template.hasResourceProperties("AWS::Lambda::Function", {
      Tags: Match.arrayWith([{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.contentImportFunction }]),
    });
  });
});
