import { Match, type Template } from "aws-cdk-lib/assertions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { catalogChangesEnvSchema } from "#functions/catalog-changes/env.js";
import { CATALOG_CHANGES_MAX_RECEIVES } from "#infra/components/catalog-triggers.js";
import { LOCAL_NAME_TAG, LOCAL_NAMES } from "#infra/local-names.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { WATCHES_BY_CUSTOMER_INDEX } from "#shared/aws/dynamo-watch-index.js";
import { defaultApp } from "./shared-app.js";
import { actionsOn, environmentWithPlaceholders, logicalIdOf, statementsOf } from "./template-queries.js";

describe("catalog triggers infrastructure", () => {
  // GIVEN the app as the local stack builds it, WHEN synthesised (once, shared by the CDK test files)
  let app: { readonly stack: TailorStack; readonly template: Template };
  beforeAll(() => {
    app = defaultApp();
  });
  const resourceOf = (construct: IConstruct) => app.template.toJSON().Resources[logicalIdOf(construct)];
  /** The statements of the function's role. */
  const grantsOf = (fn: IFunction) => statementsOf(app.template, fn.role);

  it("keeps the watch index in an encrypted table with TTL and a keys-only index by customer", () => {
    app.template.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [
        { AttributeName: "p", KeyType: "HASH" },
        { AttributeName: "c", KeyType: "RANGE" },
      ],
      TimeToLiveSpecification: { AttributeName: "ttl", Enabled: true },
      SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: "KMS" }),
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: WATCHES_BY_CUSTOMER_INDEX,
          Projection: { ProjectionType: "KEYS_ONLY" },
        }),
      ],
      Tags: Match.arrayWith([{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.watchesTable }]),
    });
  });

  it("lets ingest record and forget watches, without reading them", () => {
    const actions = actionsOn(grantsOf(app.stack.ingest.function), logicalIdOf(app.stack.watches.table));
    expect(actions.sort()).toEqual(["dynamodb:BatchWriteItem", "dynamodb:UpdateItem"]);
    const env = environmentWithPlaceholders(resourceOf(app.stack.ingest.function), "x");
    expect(env.WATCHES_TABLE).toBe("x");
  });

  it("lets the API erase a customer's watches through the index by customer only", () => {
    const statements = grantsOf(app.stack.api.function);
    const onTable = statements.filter(
      (s) =>
        s.Effect === "Allow" &&
        JSON.stringify(s.Resource).includes(`"${logicalIdOf(app.stack.watches.table)}"`),
    );
    const resources = JSON.stringify(
      onTable.filter((s) => s.Action.includes("dynamodb:Query")).map((s) => s.Resource),
    );
    expect(resources).toContain(`/index/${WATCHES_BY_CUSTOMER_INDEX}`);
    expect(onTable.flatMap((s) => s.Action)).not.toContain("dynamodb:Scan");
  });

  it("consumes its changes queue with partial failures; the queue keeps failing changes in a dead-letter queue", () => {
    const fn = app.stack.catalogTriggers.function;
    app.template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: logicalIdOf(fn) },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      EventSourceArn: { "Fn::GetAtt": [logicalIdOf(app.stack.catalogTriggers.changesQueue), "Arn"] },
    });
    const queue = resourceOf(app.stack.catalogTriggers.changesQueue);
    expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(CATALOG_CHANGES_MAX_RECEIVES);
    expect(queue.Properties.KmsMasterKeyId).toBeDefined();
    // Six times the function's timeout, as Lambda advises for SQS event sources.
    expect(queue.Properties.VisibilityTimeout).toBe(6 * 300);
    // The queue is the catalog store's, the one its writers publish to.
    expect(app.stack.catalogTriggers.changesQueue).toBe(app.stack.catalog.changesQueue);
    app.template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Dimensions: [
        { Name: "QueueName", Value: app.stack.resolve(app.stack.catalog.changesDeadLetterQueue.queueName) },
      ],
      Threshold: 0,
    });
    app.template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Dimensions: [{ Name: "FunctionName", Value: app.stack.resolve(fn.functionName) }],
      MetricName: "Errors",
    });
  });

  it("gives the function what its schema asks, and reads watchers and profiles without writing them", () => {
    const fn = app.stack.catalogTriggers.function;
    const env = environmentWithPlaceholders(resourceOf(fn), "tailor-placeholder");
    expect(catalogChangesEnvSchema.safeParse(env).success).toBe(true);
    const statements = grantsOf(fn);
    expect(actionsOn(statements, logicalIdOf(app.stack.watches.table))).toEqual(["dynamodb:Query"]);
    expect(actionsOn(statements, logicalIdOf(app.stack.profiles.table))).toEqual(["dynamodb:BatchGetItem"]);
    expect(actionsOn(statements, logicalIdOf(app.stack.sends.queue))).toContain("sqs:SendMessage");
  });
});
