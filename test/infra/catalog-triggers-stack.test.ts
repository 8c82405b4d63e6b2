import { Match, type Template } from "aws-cdk-lib/assertions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { catalogChangesEnvSchema } from "#functions/catalog-changes/env.js";
import { CATALOG_CHANGES_MAX_RECEIVES } from "#infra/components/catalog-changes-queue.js";
import { LOCAL_NAME_TAG, LOCAL_NAMES } from "#infra/local-names.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { WATCHES_BY_CUSTOMER_INDEX } from "#shared/aws/dynamo-watch-index.js";
import { defaultApp } from "./shared-app.js";
import { actionsOn, environmentWithPlaceholders, logicalIdOf, statementsOf } from "./template-queries.js";

describe("catalog triggers infrastructure", () => {
  let stack: TailorStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN the app as the local stack builds it, WHEN synthesised (shared by the CDK test files)
    ({ stack, template } = defaultApp());
  });

  const resourceOf = (construct: IConstruct) => template.toJSON().Resources[logicalIdOf(construct)];
  const roleOf = (fn: IFunction): IConstruct => {
    const role = fn.role;
    if (role === undefined) throw new Error("no role");
    return role;
  };

  it("keeps the watch index in an encrypted table with TTL and a keys-only index by customer", () => {
    template.hasResourceProperties("AWS::DynamoDB::Table", {
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
    const actions = actionsOn(
      statementsOf(template, roleOf(stack.ingest.function)),
      logicalIdOf(stack.watches.table),
    );
    expect(actions.sort()).toEqual(["dynamodb:BatchWriteItem", "dynamodb:UpdateItem"]);
    const env = environmentWithPlaceholders(resourceOf(stack.ingest.function), "x");
    expect(env.WATCHES_TABLE).toBe("x");
  });

  it("lets the API erase a customer's watches through the index by customer only", () => {
    const statements = statementsOf(template, roleOf(stack.api.function));
    const onTable = statements.filter(
      (s) =>
        s.Effect === "Allow" && JSON.stringify(s.Resource).includes(`"${logicalIdOf(stack.watches.table)}"`),
    );
    const resources = JSON.stringify(
      onTable.filter((s) => s.Action.includes("dynamodb:Query")).map((s) => s.Resource),
    );
    expect(resources).toContain(`/index/${WATCHES_BY_CUSTOMER_INDEX}`);
    expect(onTable.flatMap((s) => s.Action)).not.toContain("dynamodb:Scan");
  });

  it("consumes its changes queue with partial failures; the queue keeps failing changes in a dead-letter queue", () => {
    const fn = stack.catalogTriggers.function;
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: logicalIdOf(fn) },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      EventSourceArn: { "Fn::GetAtt": [logicalIdOf(stack.catalogTriggers.changesQueue), "Arn"] },
    });
    const queue = resourceOf(stack.catalogTriggers.changesQueue);
    expect(queue.Properties.RedrivePolicy.maxReceiveCount).toBe(CATALOG_CHANGES_MAX_RECEIVES);
    expect(queue.Properties.KmsMasterKeyId).toBeDefined();
    // Six times the function's timeout, as Lambda advises for SQS event sources.
    expect(queue.Properties.VisibilityTimeout).toBe(6 * 300);
    const own = stack.catalogTriggers.ownQueue;
    if (own === undefined) throw new Error("the stack should create its own changes queue");
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Dimensions: [{ Name: "QueueName", Value: stack.resolve(own.deadLetterQueue.queueName) }],
      Threshold: 0,
    });
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      Dimensions: [{ Name: "FunctionName", Value: stack.resolve(fn.functionName) }],
      MetricName: "Errors",
    });
  });

  it("gives the function what its schema asks, and reads watchers and profiles without writing them", () => {
    const fn = stack.catalogTriggers.function;
    const env = environmentWithPlaceholders(resourceOf(fn), "tailor-placeholder");
    expect(catalogChangesEnvSchema.safeParse(env).success).toBe(true);
    const statements = statementsOf(template, roleOf(fn));
    expect(actionsOn(statements, logicalIdOf(stack.watches.table))).toEqual(["dynamodb:Query"]);
    expect(actionsOn(statements, logicalIdOf(stack.profiles.table))).toEqual(["dynamodb:BatchGetItem"]);
    expect(actionsOn(statements, logicalIdOf(stack.sends.queue))).toContain("sqs:SendMessage");
  });
});
