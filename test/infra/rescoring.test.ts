import { App } from "aws-cdk-lib";
import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import { METRICS_NAMESPACE } from "#infra/components/ingest.js";
import {
  checkRescoreConcurrency,
  DEFAULT_MODEL_ENDPOINTS,
  DEFAULT_REALTIME_SCORING_MINUTES,
  DEFAULT_RESCORE_CONCURRENCY,
  DEFAULT_RESCORE_SCHEDULE,
  RESCORE_SERVICE_NAME,
  resolveRescoringSettings,
} from "#infra/components/rescoring.js";
import { LOCAL_NAME_TAG, LOCAL_NAMES } from "#infra/local-names.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { endpointArn } from "./model-queries.js";
import { checkedSynth, defaultApp, sharedSynthTimeout } from "./shared-app.js";
import { actionsOn, definitionOf, logicalIdOf, statementsOf, stateSchema } from "./template-queries.js";

describe("rescoring", () => {
  let stack: TailorStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN the app as the local stack builds it, with the default settings
    // WHEN it is synthesised (once per worker, shared by the CDK test files)
    ({ stack, template } = defaultApp());
  });

  describe("state machine", () => {
    it("runs Plan → Clusters → Slices (a Map of RescoreSlice over $.slices, 4 at a time) → Finish", () => {
      // GIVEN
      const fns = stack.rescoring.functions;
      // WHEN
      const definition = definitionOf(template, stack.rescoring.stateMachine);
      // THEN
      expect(definition.StartAt).toBe("Plan");
      expect(Object.keys(definition.States).sort()).toEqual(["Clusters", "Finish", "Plan", "Slices"]);
      expect(definition.States.Plan).toMatchObject({
        Type: "Task",
        Resource: `arn:${logicalIdOf(fns.plan)}`,
        Next: "Clusters",
        // Its DescribeTable (the slices' sizing) throttled for a moment does not lose the night.
        Retry: expect.arrayContaining([
          expect.objectContaining({ ErrorEquals: ["States.TaskFailed"], MaxAttempts: 3, BackoffRate: 2 }),
        ]),
      });
      // The clusters are fitted before the slices assign them; when fitting fails the run goes on without.
      expect(definition.States.Clusters).toMatchObject({
        Type: "Task",
        Resource: `arn:${logicalIdOf(fns.cluster)}`,
        Parameters: { "totalSegments.$": "$.totalSegments" },
        ResultPath: "$.clusters",
        Next: "Slices",
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.clusters", Next: "Slices" }],
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
        Parameters: {
          "startedAt.$": "$.startedAt",
          "summaries.$": "$.summaries",
          "clusters.$": "$.clusters",
        },
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
        .parse(definitionOf(template, stack.rescoring.stateMachine).States.Slices).ItemProcessor;
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

    it("lets Plan read the profile table's item count and nothing else of it; the slices keep their summaries in the segments table", () => {
      // GIVEN
      const { plan, slice, finish } = stack.rescoring.functions;
      const profiles = logicalIdOf(stack.profiles.table);
      const segments = logicalIdOf(stack.segments.table);
      const roleOf = (fn: typeof plan) => {
        if (fn.role === undefined) throw new Error(`${fn.node.path} has no role`);
        return fn.role;
      };
      // THEN
      expect(actionsOn(statementsOf(template, roleOf(plan)), profiles)).toEqual(["dynamodb:DescribeTable"]);
      expect(actionsOn(statementsOf(template, roleOf(plan)), segments)).toEqual([]);
      expect(actionsOn(statementsOf(template, roleOf(slice)), segments)).toContain("dynamodb:PutItem");
      expect(actionsOn(statementsOf(template, roleOf(finish)), segments)).toContain("dynamodb:Query");
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

    it("alarms on failed and timed-out runs, and on a run with failed slices", () => {
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
      // A run that finishes with slices given up on is not a failed execution: its own alarm says so.
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: METRICS_NAMESPACE,
        MetricName: "RescoreSlicesFailed",
        Dimensions: [{ Name: "service", Value: RESCORE_SERVICE_NAME }],
        Statistic: "Sum",
        Threshold: 0,
        ComparisonOperator: "GreaterThanThreshold",
        AlarmActions: [{ Ref: Match.stringLikeRegexp("^AlarmsTopic") }],
      });
    });
  });

  describe("permissions", () => {
    it("lets the slice and ingest invoke the model endpoints, dispatch and the API (on-site content) the recommender, and no other", () => {
      // GIVEN
      const invoking = statementsOf(template).filter((s) => s.Action.some((a) => a.startsWith("sagemaker:")));
      const invokingOf = (role: Parameters<typeof statementsOf>[1]) =>
        statementsOf(template, role).filter((s) => s.Action.includes("sagemaker:InvokeEndpoint"));
      const models = Object.values(DEFAULT_MODEL_ENDPOINTS).map(endpointArn);
      // THEN
      expect(invoking).toHaveLength(4);
      for (const statement of invoking) expect(statement.Action).toEqual(["sagemaker:InvokeEndpoint"]);
      for (const role of [stack.rescoring.functions.slice.role, stack.ingest.function.role]) {
        const [statement, ...more] = invokingOf(role);
        expect(more).toEqual([]);
        expect(statement?.Resource).toEqual(expect.arrayContaining(models));
        expect(statement?.Resource).toHaveLength(models.length);
      }
      for (const role of [stack.dispatch.function.role, stack.api.function.role]) {
        expect(invokingOf(role).map((s) => s.Resource)).toEqual([endpointArn("tailor-recommendations")]);
      }
      for (const role of [stack.rescoring.functions.plan.role, stack.rescoring.functions.finish.role]) {
        expect(invokingOf(role)).toEqual([]);
      }
    });

    it("reads modelEndpoints, rescoreSchedule and realtimeScoringMinutes from context, and rejects bad ones", () => {
      // GIVEN
      const node = new App({
        context: {
          modelEndpoints: '{"churn_60d":"churn-a"}',
          rescoreSchedule: "rate(12 hours)",
          realtimeScoringMinutes: "5",
          rfmMonetaryBasis: "revenue",
          rescoreConcurrency: "16",
        },
      }).node;
      // THEN
      expect(resolveRescoringSettings({}, node)).toEqual({
        modelEndpoints: { churn_60d: "churn-a" },
        rescoreSchedule: "rate(12 hours)",
        realtimeScoringMinutes: 5,
        rfmMonetaryBasis: "revenue",
        rescoreConcurrency: 16,
      });
      expect(resolveRescoringSettings({}, new App().node)).toEqual({
        modelEndpoints: DEFAULT_MODEL_ENDPOINTS,
        rescoreSchedule: DEFAULT_RESCORE_SCHEDULE,
        realtimeScoringMinutes: DEFAULT_REALTIME_SCORING_MINUTES,
        rfmMonetaryBasis: "total",
        rescoreConcurrency: DEFAULT_RESCORE_CONCURRENCY,
      });
      for (const bad of [0, 41, 2.5, "", "many", true]) {
        const badConcurrency = new App({ context: { rescoreConcurrency: bad } }).node;
        expect(() => resolveRescoringSettings({}, badConcurrency)).toThrow(
          /rescoreConcurrency must be a whole number of slices from 1 to 40/,
        );
      }
      // Serverless endpoints serve so many at once: the slices at once may not outnumber them.
      const serverless = (maxConcurrency: number) => ({
        capacity: { kind: "serverless" as const, memoryMb: 2048, maxConcurrency },
      });
      expect(() => checkRescoreConcurrency({ rescoreConcurrency: 8 }, serverless(5))).toThrow(
        /rescoreConcurrency \(8\) exceeds modelServerlessMaxConcurrency \(5\)/,
      );
      expect(() => checkRescoreConcurrency({ rescoreConcurrency: 5 }, serverless(5))).not.toThrow();
      expect(() =>
        checkRescoreConcurrency({ rescoreConcurrency: 40 }, { capacity: undefined }),
      ).not.toThrow();
      const badBasis = new App({ context: { rfmMonetaryBasis: "subtotal" } }).node;
      expect(() => resolveRescoringSettings({}, badBasis)).toThrow(
        /rfmMonetaryBasis must be one of total, revenue/,
      );
      expect(() => resolveRescoringSettings({ modelEndpoints: {} }, node)).toThrow(InfraConfigError);
      expect(() => resolveRescoringSettings({ modelEndpoints: { a: "no/slashes" } }, node)).toThrow(
        /a: no\/slashes/,
      );
      expect(() => resolveRescoringSettings({ rescoreSchedule: "nightly" }, node)).toThrow(/rescoreSchedule/);
      // The schedule is read by the same reader as the local scheduler's: what EventBridge takes passes, the
      // rest fails naming the field and the rule.
      expect(resolveRescoringSettings({ rescoreSchedule: "cron(0 9 ? * 2#1 *)" }, node).rescoreSchedule).toBe(
        "cron(0 9 ? * 2#1 *)",
      );
      expect(() => resolveRescoringSettings({ rescoreSchedule: "cron(0 3 * * MON *)" }, node)).toThrow(
        /rescoreSchedule: cron\(0 3 \* \* MON \*\): day-of-month "\*" and day-of-week "MON": exactly one of them must be \?/,
      );
      expect(() => resolveRescoringSettings({ rescoreSchedule: "cron(0 25 * * ? *)" }, node)).toThrow(
        /hours: "25" is not a value from 0 to 23/,
      );
      expect(() => resolveRescoringSettings({ realtimeScoringMinutes: 2.5 }, node)).toThrow(
        /realtimeScoringMinutes/,
      );
      const broken = new App({ context: { modelEndpoints: "{not json" } }).node;
      expect(() => resolveRescoringSettings({}, broken)).toThrow(/modelEndpoints/);
    });

    it("leaves the RFM thresholds to the segment jobs (which get the monetary basis): Finish scans nothing", () => {
      // THEN
      const functions = Object.values(template.findResources("AWS::Lambda::Function"));
      const basis = (fn: unknown) =>
        JSON.stringify(fn).includes('"RFM_MONETARY_BASIS":"total"') ? "basis" : "none";
      const finish = functions.filter((fn) => JSON.stringify(fn).includes("Finishes a rescoring run"));
      const jobs = functions.filter((fn) =>
        JSON.stringify(fn).includes('"POWERTOOLS_SERVICE_NAME":"segment-jobs"'),
      );
      expect(finish.map(basis)).toEqual(["none"]);
      expect(jobs.length).toBeGreaterThan(0);
      expect(jobs.map(basis)).toEqual(jobs.map(() => "basis"));
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

  it(
    "synthesises with no unacknowledged cdk-nag finding of its own",
    async () => {
      // GIVEN the checked build (synthesised once per test run, by the global setup of the CDK tests)
      const checked = await checkedSynth();
      // WHEN / THEN: a finding would have failed the synth
      expect(checked.ok ? undefined : checked.error).toBeUndefined();
    },
    sharedSynthTimeout,
  );
});
