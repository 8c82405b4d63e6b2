import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { buildApp } from "../../infra/app.js";
import { InfraConfigError } from "../../infra/components/infra-config-error.js";
import {
  DEFAULT_MODEL_ENDPOINTS,
  DEFAULT_RESCORE_SCHEDULE,
  resolveRescoringSettings,
} from "../../infra/components/rescoring.js";
import { LOCAL_NAME_TAG, LOCAL_NAMES } from "../../infra/local-names.js";
import { TailorStack } from "../../infra/tailor-stack.js";
import { logicalIdOf, statementsOf } from "./template-queries.js";

const joinSchema = z.object({ "Fn::Join": z.tuple([z.literal(""), z.array(z.unknown())]) });
const getAttSchema = z.object({ "Fn::GetAtt": z.tuple([z.string(), z.literal("Arn")]) });
const stateSchema = z.looseObject({ Type: z.string() });
const definitionSchema = z.object({
  StartAt: z.string(),
  States: z.record(z.string(), stateSchema),
  TimeoutSeconds: z.number().optional(),
});

/**
 * The state machine's definition as JSON: the `Fn::Join` CDK writes, each function ARN replaced by
 * `arn:<logical id>` so a task's function can be told.
 */
function definitionOf(template: Template): z.infer<typeof definitionSchema> {
  const machines = Object.values(template.findResources("AWS::StepFunctions::StateMachine"));
  expect(machines).toHaveLength(1);
  const parts = joinSchema.parse(machines[0]?.Properties.DefinitionString)["Fn::Join"][1];
  const text = parts
    .map((part) => (typeof part === "string" ? part : `arn:${getAttSchema.parse(part)["Fn::GetAtt"][0]}`))
    .join("");
  return definitionSchema.parse(JSON.parse(text));
}

function endpointArn(name: string): unknown {
  return {
    "Fn::Join": [
      "",
      [
        "arn:",
        { Ref: "AWS::Partition" },
        ":sagemaker:",
        { Ref: "AWS::Region" },
        ":",
        { Ref: "AWS::AccountId" },
        `:endpoint/${name}`,
      ],
    ],
  };
}

describe("rescoring", () => {
  let stack: TailorStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN the app as the local stack builds it, with the default settings
    ({ stack } = buildApp({ bundling: false, checks: false }));
    // WHEN it is synthesised
    template = Template.fromStack(stack);
  });

  describe("state machine", () => {
    it("runs Plan → Slices (a Map of RescoreSlice over $.slices, 4 at a time) → Finish", () => {
      // GIVEN
      const fns = stack.rescoring.functions;
      // WHEN
      const definition = definitionOf(template);
      // THEN
      expect(definition.StartAt).toBe("Plan");
      expect(Object.keys(definition.States).sort()).toEqual(["Finish", "Plan", "Slices"]);
      expect(definition.States.Plan).toMatchObject({
        Type: "Task",
        Resource: `arn:${logicalIdOf(fns.plan)}`,
        Next: "Slices",
      });
      // payloadResponseOnly: the function ARN as the resource, the state input as the event, its result as is.
      expect(definition.States.Plan).not.toHaveProperty("ResultSelector");
      expect(definition.States.Slices).toMatchObject({
        Type: "Map",
        ItemsPath: "$.slices",
        MaxConcurrency: 4,
        ItemSelector: {
          "startedAt.$": "$.startedAt",
          "segment.$": "$$.Map.Item.Value.segment",
          "totalSegments.$": "$$.Map.Item.Value.totalSegments",
        },
        ResultPath: "$.summaries",
        Next: "Finish",
      });
      expect(definition.States.Finish).toMatchObject({
        Type: "Task",
        Resource: `arn:${logicalIdOf(fns.finish)}`,
        Parameters: { "startedAt.$": "$.startedAt", "summaries.$": "$.summaries" },
        End: true,
      });
      expect(definition.TimeoutSeconds).toBeGreaterThan(0);
    });

    it("retries a slice three times with backoff 2, then records it as failed so the other slices count", () => {
      // WHEN
      const processor = z
        .object({
          ItemProcessor: z.object({ StartAt: z.string(), States: z.record(z.string(), stateSchema) }),
        })
        .parse(definitionOf(template).States.Slices).ItemProcessor;
      // THEN
      expect(processor.StartAt).toBe("RescoreSlice");
      expect(processor.States.RescoreSlice).toMatchObject({
        Type: "Task",
        Resource: `arn:${logicalIdOf(stack.rescoring.functions.slice)}`,
        Retry: [
          { ErrorEquals: ["States.TaskFailed", "ScorerUnavailableError"], MaxAttempts: 3, BackoffRate: 2 },
        ],
        Catch: [{ ErrorEquals: ["States.ALL"], Next: "SliceFailed" }],
        End: true,
      });
      expect(processor.States.SliceFailed).toEqual({
        Type: "Pass",
        Parameters: { failed: true, "segment.$": "$.segment" },
        End: true,
      });
    });

    it("has three functions of the one entry, one per handler export", () => {
      // THEN
      for (const handler of ["plan", "slice", "finish"] as const) {
        const id = logicalIdOf(stack.rescoring.functions[handler]);
        expect(template.toJSON().Resources[id]).toMatchObject({
          Type: "AWS::Lambda::Function",
          Properties: { Handler: `index.${handler}`, TracingConfig: { Mode: "Active" } },
        });
      }
    });

    it("is named tailor-rescore for the local stack, traced, and logs to a KMS-encrypted log group", () => {
      // THEN
      template.hasResourceProperties("AWS::StepFunctions::StateMachine", {
        Tags: Match.arrayWith([{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.rescoreStateMachine }]),
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: {
          Level: "ALL",
          Destinations: [
            {
              CloudWatchLogsLogGroup: {
                LogGroupArn: { "Fn::GetAtt": [Match.stringLikeRegexp("^RescoringLogs"), "Arn"] },
              },
            },
          ],
        },
      });
      const groups = template.findResources("AWS::Logs::LogGroup", {
        Properties: { KmsKeyId: { "Fn::GetAtt": [Match.stringLikeRegexp("^RescoringLogsKey"), "Arn"] } },
      });
      expect(Object.keys(groups)).toEqual([expect.stringMatching(/^RescoringLogs/)]);
    });

    it("alarms on failed and timed-out runs", () => {
      // GIVEN
      const machineRef = stack.resolve(stack.rescoring.stateMachine.stateMachineArn);
      // THEN
      for (const metric of ["ExecutionsFailed", "ExecutionsTimedOut"]) {
        template.hasResourceProperties("AWS::CloudWatch::Alarm", {
          Namespace: "AWS/States",
          MetricName: metric,
          Dimensions: [{ Name: "StateMachineArn", Value: machineRef }],
          Threshold: 0,
          AlarmActions: [{ Ref: Match.stringLikeRegexp("^AlarmsTopic") }],
        });
      }
    });
  });

  describe("permissions", () => {
    it("lets only the slice function invoke the configured endpoints, and no other", () => {
      // GIVEN
      const invoking = statementsOf(template).filter((s) => s.Action.some((a) => a.startsWith("sagemaker:")));
      // THEN
      expect(invoking).toHaveLength(1);
      expect(invoking[0]?.Action).toEqual(["sagemaker:InvokeEndpoint"]);
      const sliceStatements = statementsOf(template, stack.rescoring.functions.slice.role);
      expect(sliceStatements.filter((s) => s.Action.includes("sagemaker:InvokeEndpoint"))).toHaveLength(1);
      const names = Object.values(DEFAULT_MODEL_ENDPOINTS);
      expect(invoking[0]?.Resource).toEqual(expect.arrayContaining(names.map(endpointArn)));
      expect(invoking[0]?.Resource).toHaveLength(names.length);
    });

    it("scopes the endpoints to the ones named in props or context", () => {
      // GIVEN an app naming one model's endpoint
      const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
      // WHEN
      const other = new TailorStack(app, "Other", { modelEndpoints: { purchase_30d: "shop-purchase-v2" } });
      // THEN
      const invoking = statementsOf(Template.fromStack(other)).filter((s) =>
        s.Action.includes("sagemaker:InvokeEndpoint"),
      );
      expect(invoking.map((s) => [s.Resource].flat())).toEqual([[endpointArn("shop-purchase-v2")]]);
    });

    it("reads modelEndpoints and rescoreSchedule from context, and rejects what cannot be an endpoint", () => {
      // GIVEN
      const node = new App({
        context: { modelEndpoints: '{"churn_60d":"churn-a"}', rescoreSchedule: "rate(12 hours)" },
      }).node;
      // THEN
      expect(resolveRescoringSettings({}, node)).toEqual({
        modelEndpoints: { churn_60d: "churn-a" },
        rescoreSchedule: "rate(12 hours)",
      });
      expect(resolveRescoringSettings({}, new App().node)).toEqual({
        modelEndpoints: DEFAULT_MODEL_ENDPOINTS,
        rescoreSchedule: DEFAULT_RESCORE_SCHEDULE,
      });
      expect(() => resolveRescoringSettings({ modelEndpoints: {} }, node)).toThrow(InfraConfigError);
      expect(() => resolveRescoringSettings({ modelEndpoints: { a: "no/slashes" } }, node)).toThrow(
        /a: no\/slashes/,
      );
      expect(() => resolveRescoringSettings({ rescoreSchedule: "nightly" }, node)).toThrow(/rescoreSchedule/);
      const broken = new App({ context: { modelEndpoints: "{not json" } }).node;
      expect(() => resolveRescoringSettings({}, broken)).toThrow(/modelEndpoints/);
    });
  });

  describe("schedule", () => {
    it("starts the state machine nightly, with retries and a dead-letter queue", () => {
      // THEN
      template.hasResourceProperties("AWS::Events::Rule", {
        ScheduleExpression: "cron(0 3 * * ? *)",
        Tags: Match.arrayWith([{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.rescoreSchedule }]),
        Targets: [
          Match.objectLike({
            Arn: stack.resolve(stack.rescoring.stateMachine.stateMachineArn),
            Input: "{}",
            DeadLetterConfig: { Arn: stack.resolve(stack.rescoring.scheduleDeadLetterQueue.queueArn) },
            RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3600 },
          }),
        ],
      });
    });
  });

  it("synthesises with no unacknowledged cdk-nag finding of its own", () => {
    // GIVEN the checked build
    const { app } = buildApp({ bundling: false, checks: true });
    // WHEN / THEN
    expect(() => app.synth()).not.toThrow();
  });
});
