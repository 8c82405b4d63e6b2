import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { App, CfnElement, Stack } from "aws-cdk-lib";
import { Match, type Template } from "aws-cdk-lib/assertions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildApp } from "#infra/app.js";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import { ProjectFunction } from "#infra/components/project-function.js";
import { SEGMENTS_DIR, SegmentDefinitions } from "#infra/components/segment-definitions.js";
import { TransitionsQueue } from "#infra/components/transitions-queue.js";
import { LOCAL_NAME_TAG, LOCAL_NAMES } from "#infra/local-names.js";
import { LOCAL_STACK_SETTINGS } from "#infra/local-settings.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { SegmentDefinitionError } from "#shared/templates/segment-files.js";
import { defaultApp } from "./shared-app.js";

const fixtureEntry = fileURLToPath(new URL("./fixtures/echo-handler.ts", import.meta.url));
const repositorySegments = fileURLToPath(new URL("../../templates/segments", import.meta.url));
const statementsSchema = z.array(
  z.looseObject({
    Effect: z.string(),
    Action: z.union([z.string(), z.array(z.string())]),
    Resource: z.unknown(),
  }),
);
const policySchema = z.looseObject({
  Properties: z.looseObject({
    PolicyDocument: z.looseObject({ Statement: statementsSchema }),
    Roles: z.array(z.unknown()),
  }),
});

/** The logical id of the CloudFormation resource behind a construct. */
function logicalIdOf(construct: IConstruct): string {
  const element = construct.node.defaultChild;
  if (!(element instanceof CfnElement)) throw new Error(`${construct.node.path} has no resource`);
  return Stack.of(element).getLogicalId(element);
}

/** The execution role of a function of the app. */
function roleOf(fn: IFunction): IConstruct {
  if (fn.role === undefined) throw new Error(`${fn.node.path} has no role`);
  return fn.role;
}

/** Every statement of the IAM policies attached to `role` (by its logical id), with actions as lists. */
function statementsOf(template: Template, role: IConstruct) {
  const roleRef = { Ref: logicalIdOf(role) };
  return Object.values(template.findResources("AWS::IAM::Policy"))
    .map((policy) => policySchema.parse(policy))
    .filter((policy) => policy.Properties.Roles.some((r) => JSON.stringify(r) === JSON.stringify(roleRef)))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .map((statement) => ({ ...statement, Action: [statement.Action].flat() }));
}

/** The actions `statements` allow on a resource whose value mentions `logicalId`. */
function actionsOn(statements: ReturnType<typeof statementsOf>, logicalId: string): string[] {
  return statements
    .filter(
      (statement) =>
        statement.Effect === "Allow" && JSON.stringify(statement.Resource).includes(`"${logicalId}"`),
    )
    .flatMap((statement) => statement.Action);
}

describe("segment infrastructure", () => {
  let stack: TailorStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN the app as the local stack builds it (the cdk-nag test of stack.test.ts checks the checked build)
    // WHEN it is synthesised (once per worker, shared by the CDK test files)
    ({ stack, template } = defaultApp());
  });

  const keyOf = (key: IConstruct) => stack.resolve({ "Fn::GetAtt": [logicalIdOf(key), "Arn"] });

  describe("stateful resources", () => {
    it.each([
      ["timers", () => stack.timers, "b", "k", LOCAL_NAMES.timersTable],
      ["segments", () => stack.segments, "pk", "sk", LOCAL_NAMES.segmentsTable],
    ])(
      "the %s table: string keys, on demand, PITR, its own key, retained, tagged",
      (_name, store, pk, sk, localName) => {
        // THEN
        const { table, key } = store();
        const resource = template.toJSON().Resources[logicalIdOf(table)];
        expect(resource).toMatchObject({
          Type: "AWS::DynamoDB::Table",
          DeletionPolicy: "Retain",
          UpdateReplacePolicy: "Retain",
          Properties: {
            KeySchema: [
              { AttributeName: pk, KeyType: "HASH" },
              { AttributeName: sk, KeyType: "RANGE" },
            ],
            // (the timers table also defines its customer index's key: retention-stack.test.ts)
            AttributeDefinitions: expect.arrayContaining([
              { AttributeName: pk, AttributeType: "S" },
              { AttributeName: sk, AttributeType: "S" },
            ]),
            BillingMode: "PAY_PER_REQUEST",
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
            SSESpecification: { SSEEnabled: true, SSEType: "KMS", KMSMasterKeyId: keyOf(key) },
            DeletionProtectionEnabled: true,
            Tags: [{ Key: LOCAL_NAME_TAG, Value: localName }],
          },
        });
        expect(template.toJSON().Resources[logicalIdOf(key)]).toMatchObject({
          Type: "AWS::KMS::Key",
          DeletionPolicy: "Retain",
          Properties: { EnableKeyRotation: true },
        });
      },
    );

    it("gives every table and queue a key of its own", () => {
      // THEN
      const keys = [
        stack.profiles.key,
        stack.timers.key,
        stack.segments.key,
        stack.transitions.key,
        stack.events.key,
        stack.quarantine.key,
        stack.sends.key,
        stack.ledger.key,
      ].map(logicalIdOf);
      const queueKeys = Object.values(template.findResources("AWS::SQS::Queue")).map((queue) =>
        JSON.stringify(queue.Properties.KmsMasterKeyId),
      );
      expect(new Set(keys).size).toBe(keys.length);
      // Ingest, transitions and sends with their dead letters; the dead letters of five EventBridge targets
      // (segment timers, campaign schedules, SES feedback, rescoring, the segment jobs' starts); the catalog's
      // changes queue with its dead letters and the failed imports' queue; the model training's starts' dead letters.
      expect(queueKeys).toHaveLength(14);
      expect(new Set(queueKeys).size).toBe(14);
    });

    it("the transitions queue: KMS, 14 days, TLS-only, 5 receives then its own dead-letter queue", () => {
      // THEN
      const queue = stack.transitions.queue;
      expect(template.toJSON().Resources[logicalIdOf(queue)]).toMatchObject({
        DeletionPolicy: "Retain",
        Properties: {
          KmsMasterKeyId: keyOf(stack.transitions.key),
          MessageRetentionPeriod: 1_209_600,
          RedrivePolicy: {
            deadLetterTargetArn: stack.resolve(stack.transitions.deadLetterQueue.queueArn),
            maxReceiveCount: 5,
          },
          Tags: [{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.transitionsQueue }],
        },
      });
      expect(template.toJSON().Resources[logicalIdOf(stack.transitions.deadLetterQueue)]).toMatchObject({
        Properties: {
          KmsMasterKeyId: expect.anything(),
          MessageRetentionPeriod: 1_209_600,
          Tags: [{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.transitionsDeadLetterQueue }],
        },
      });
      for (const tlsOnly of [queue, stack.transitions.deadLetterQueue]) {
        template.hasResourceProperties("AWS::SQS::QueuePolicy", {
          Queues: [stack.resolve(tlsOnly.queueUrl)],
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
            ]),
          },
        });
      }
    });

    it("alarms when the transitions dead-letter queue holds anything", () => {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [
          { Name: "QueueName", Value: stack.resolve(stack.transitions.deadLetterQueue.queueName) },
        ],
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: [stack.resolve(stack.alarmTopic.topicArn)],
      });
    });

    it("rejects a receive count SQS would refuse", () => {
      // GIVEN
      const other = new Stack(new App({ context: { "aws:cdk:bundling-stacks": [] } }), "Scratch");
      const alarmTopic = new Topic(other, "Alarms");
      // WHEN / THEN
      for (const maxReceiveCount of [0, 1.5, 1001]) {
        expect(
          () =>
            new TransitionsQueue(other, `Q${maxReceiveCount}`, {
              alarmTopic,
              maxReceiveCount,
            }),
        ).toThrow(InfraConfigError);
      }
    });
  });

  describe("ingest", () => {
    it("may read and write the timers and segments tables and send transitions, nothing more of them", () => {
      // THEN
      const statements = statementsOf(template, roleOf(stack.ingest.function));
      for (const table of [stack.timers.table, stack.segments.table]) {
        expect(actionsOn(statements, logicalIdOf(table))).toEqual(
          expect.arrayContaining([
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:Query",
          ]),
        );
      }
      expect(actionsOn(statements, logicalIdOf(stack.transitions.queue)).sort()).toEqual([
        "sqs:GetQueueAttributes",
        "sqs:GetQueueUrl",
        "sqs:SendMessage",
      ]);
      expect(actionsOn(statements, logicalIdOf(stack.transitions.key))).toEqual(
        expect.arrayContaining(["kms:Encrypt", "kms:GenerateDataKey*"]),
      );
      expect(actionsOn(statements, logicalIdOf(stack.transitions.deadLetterQueue))).toEqual([]);
    });
  });

  describe("segment timers", () => {
    const timersFn = () => template.toJSON().Resources[logicalIdOf(stack.segmentTimers.function)];

    it("runs on Node 22, arm64, within a minute, with its environment from the tables and the queue", () => {
      // THEN
      expect(timersFn()).toMatchObject({
        Type: "AWS::Lambda::Function",
        Properties: {
          Runtime: "nodejs22.x",
          Architectures: ["arm64"],
          Timeout: 55,
          TracingConfig: { Mode: "Active" },
          Tags: [{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.segmentTimersFunction }],
        },
      });
      expect(timersFn().Properties.Environment.Variables).toEqual({
        NODE_OPTIONS: "--enable-source-maps",
        PROFILES_TABLE: stack.resolve(stack.profiles.table.tableName),
        SEGMENTS_DIR: SEGMENTS_DIR,
        TIMERS_TABLE: stack.resolve(stack.timers.table.tableName),
        TIMER_GRACE_DAYS: "30",
        SEGMENTS_TABLE: stack.resolve(stack.segments.table.tableName),
        TRANSITIONS_QUEUE_URL: stack.resolve(stack.transitions.queue.queueUrl),
        SENDS_QUEUE_URL: stack.resolve(stack.sends.queue.queueUrl),
        POWERTOOLS_SERVICE_NAME: "segment-timers",
        POWERTOOLS_METRICS_NAMESPACE: "Tailor",
      });
    });

    it("may use the profile, timers and segments tables and send transitions, and not the stream or bucket", () => {
      // THEN
      const statements = statementsOf(template, roleOf(stack.segmentTimers.function));
      for (const table of [stack.profiles.table, stack.timers.table, stack.segments.table]) {
        expect(actionsOn(statements, logicalIdOf(table))).toEqual(
          expect.arrayContaining([
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:DeleteItem",
            "dynamodb:Query",
          ]),
        );
      }
      expect(actionsOn(statements, logicalIdOf(stack.transitions.queue))).toContain("sqs:SendMessage");
      expect(actionsOn(statements, logicalIdOf(stack.events.stream))).toEqual([]);
      expect(actionsOn(statements, logicalIdOf(stack.quarantine.bucket))).toEqual([]);
      const wildcards = statements.filter((statement) => statement.Resource === "*").flatMap((s) => s.Action);
      expect(wildcards.sort()).toEqual(["xray:PutTelemetryRecords", "xray:PutTraceSegments"]);
    });

    it("is run every minute by an EventBridge rule, with retries and a dead-letter queue on the target", () => {
      // THEN
      const fnArn = stack.resolve(stack.segmentTimers.function.functionArn);
      template.hasResourceProperties("AWS::Events::Rule", {
        ScheduleExpression: "rate(1 minute)",
        State: "ENABLED",
        Targets: [
          {
            Arn: fnArn,
            Id: Match.anyValue(),
            DeadLetterConfig: { Arn: stack.resolve(stack.segmentTimers.scheduleDeadLetterQueue.queueArn) },
            RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 },
          },
        ],
        Tags: [{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.segmentTimersSchedule }],
      });
      const rulesOnTimers = Object.values(template.findResources("AWS::Events::Rule")).filter((rule) =>
        JSON.stringify(rule.Properties.Targets).includes(JSON.stringify(fnArn)),
      );
      expect(rulesOnTimers).toHaveLength(1);
      const ruleArn = stack.resolve(stack.segmentTimers.rule.ruleArn);
      template.hasResourceProperties("AWS::Lambda::Permission", {
        Action: "lambda:InvokeFunction",
        Principal: "events.amazonaws.com",
        SourceArn: ruleArn,
      });
      // A failed tick is not retried by Lambda: the next one fires what it left due.
      template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
        FunctionName: stack.resolve(stack.segmentTimers.function.functionName),
        MaximumRetryAttempts: 0,
        MaximumEventAgeInSeconds: 60,
      });
    });

    it("lets EventBridge, and only for rules, put undelivered ticks on the encrypted dead-letter queue", () => {
      // THEN
      const queue = stack.segmentTimers.scheduleDeadLetterQueue;
      template.hasResourceProperties("AWS::SQS::QueuePolicy", {
        Queues: [stack.resolve(queue.queueUrl)],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sqs:SendMessage",
              Condition: { ArnEquals: { "aws:SourceArn": stack.resolve(stack.segmentTimers.rule.ruleArn) } },
            }),
          ]),
        },
      });
      const queueKey =
        template.toJSON().Resources[logicalIdOf(queue)].Properties.KmsMasterKeyId["Fn::GetAtt"][0];
      expect(template.toJSON().Resources[queueKey].Properties.KeyPolicy.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: "Allow",
            Principal: { Service: "events.amazonaws.com" },
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Condition: { ArnLike: { "aws:SourceArn": expect.anything() } },
          }),
        ]),
      );
    });

    it("alarms on failed invocations and on undelivered ticks", () => {
      const topic = stack.resolve(stack.alarmTopic.topicArn);
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Dimensions: [
          { Name: "FunctionName", Value: stack.resolve(stack.segmentTimers.function.functionName) },
        ],
        Statistic: "Sum",
        Threshold: 0,
        AlarmActions: [topic],
      });
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/SQS",
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [
          { Name: "QueueName", Value: stack.resolve(stack.segmentTimers.scheduleDeadLetterQueue.queueName) },
        ],
        Threshold: 0,
        AlarmActions: [topic],
      });
    });
  });
});

describe("segment definitions", () => {
  it("are read from the repository's templates/segments when the app is built", () => {
    const { stack } = defaultApp();
    expect(stack.definitions.sourceDir).toBe(repositorySegments);
    expect(stack.definitions.bundledFolder).toEqual({
      source: repositorySegments,
      target: "templates/segments",
    });
  });

  it("fail the build, naming the file, when one is invalid", () => {
    // GIVEN a folder with an invalid definition
    const dir = mkdtempSync(join(tmpdir(), "tailor-bad-segments-"));
    try {
      writeFileSync(
        join(dir, "cart.yaml"),
        [
          "id: cart",
          "name: Cart",
          "version: 1",
          "rule:",
          "  all:",
          "    - event: { name: Product Added, within: soon, atLeast: 1 }",
          "",
        ].join("\n"),
      );
      writeFileSync(join(dir, "broken.yaml"), "id: broken\nrule: [unclosed\n");
      // WHEN / THEN the build fails with the loader's error, naming each file, the path and the rule
      expect(() =>
        buildApp({ settings: LOCAL_STACK_SETTINGS, bundling: false, checks: false, segmentsDir: dir }),
      ).toThrow(SegmentDefinitionError);
      expect(() => SegmentDefinitions.load(dir)).toThrow(
        /cart\.yaml:6 rule\.all\[0\]\.event\.within \[window\]/,
      );
      expect(() => SegmentDefinitions.load(dir)).toThrow(/broken\.yaml(:\d+)? \[yaml\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("bundled folders", () => {
  it("are checked at synth: an existing source, a target inside the bundle", () => {
    // GIVEN
    const scratch = new Stack(new App({ context: { "aws:cdk:bundling-stacks": [] } }), "Scratch");
    const make = (id: string, source: string, target: string) =>
      new ProjectFunction(scratch, id, {
        entry: fixtureEntry,
        environmentSchema: z.object({}),
        environment: {},
        bundledFolders: [{ source, target }],
      });
    // WHEN / THEN
    expect(() => make("Missing", join(repositorySegments, "no-such-folder"), "x")).toThrow(/does not exist/);
    expect(() => make("Relative", "templates/segments", "x")).toThrow(/absolute/);
    expect(() => make("Escape", repositorySegments, "../outside")).toThrow(InfraConfigError);
    expect(() => make("Root", repositorySegments, "/var/task")).toThrow(/inside the bundle/);
    expect(() => make("Fine", repositorySegments, "templates/segments")).not.toThrow();
  });
});
