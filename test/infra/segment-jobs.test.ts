import { Match, type Template } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { NIGHTLY_SEGMENT_JOBS, SEGMENT_JOBS_MAX_CONCURRENCY } from "#infra/components/segment-jobs.js";
import { LOCAL_NAME_TAG, LOCAL_NAMES } from "#infra/local-names.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { defaultApp } from "./shared-app.js";
import { actionsOn, definitionOf, logicalIdOf, statementsOf, stateSchema } from "./template-queries.js";

const mapSchema = z.looseObject({
  Type: z.literal("Map"),
  ItemsPath: z.string(),
  MaxConcurrency: z.number(),
  ItemSelector: z.record(z.string(), z.unknown()),
  ResultPath: z.null(),
  ItemProcessor: z.object({ StartAt: z.string(), States: z.record(z.string(), stateSchema) }),
});

describe("segment jobs", () => {
  let stack: TailorStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN the app as the local stack builds it, with the default settings
    ({ stack, template } = defaultApp());
  });

  it("runs Plan → IsRfm → (Samples → Thresholds →) Work → Finish, never the whole table in one function", () => {
    // WHEN
    const definition = definitionOf(template, stack.segmentJobs.stateMachine);
    const fns = stack.segmentJobs.functions;
    // THEN
    expect(definition.StartAt).toBe("Plan");
    expect(Object.keys(definition.States).sort()).toEqual([
      "Finish",
      "IsRfm",
      "Plan",
      "Samples",
      "Thresholds",
      "Work",
    ]);
    expect(definition.States.Plan).toMatchObject({ Resource: `arn:${logicalIdOf(fns.plan)}`, Next: "IsRfm" });
    expect(definition.States.IsRfm).toMatchObject({
      Type: "Choice",
      Choices: [{ Variable: "$.job", StringEquals: "rfm", Next: "Samples" }],
      Default: "Work",
    });
    expect(definition.States.Samples).toMatchObject({ Next: "Thresholds" });
    expect(definition.States.Thresholds).toMatchObject({
      Resource: `arn:${logicalIdOf(fns.finish)}`,
      Parameters: { stage: "thresholds" },
      Next: "Work",
    });
    expect(definition.States.Work).toMatchObject({ Next: "Finish" });
    expect(definition.States.Finish).toMatchObject({
      Resource: `arn:${logicalIdOf(fns.finish)}`,
      Parameters: { stage: "finish", "runId.$": "$.runId", "parts.$": "$.parts" },
      End: true,
    });
  });

  it.each([
    ["Samples", { phase: "samples" }],
    ["Work", { "phase.$": "$.workPhase" }],
  ])("loops each part's %s step until done, retrying a failed step with backoff", (name, phase) => {
    // WHEN
    const map = mapSchema.parse(definitionOf(template, stack.segmentJobs.stateMachine).States[name]);
    const step = `${name}Step`;
    // THEN: one item per part, the part's results kept by part id in the table, not in the state.
    expect(map).toMatchObject({
      ItemsPath: "$.items",
      MaxConcurrency: SEGMENT_JOBS_MAX_CONCURRENCY,
      ResultPath: null,
      ItemSelector: { ...phase, "part.$": "$$.Map.Item.Value.part", seq: 0, "runId.$": "$.runId" },
    });
    expect(map.ItemProcessor.StartAt).toBe(step);
    expect(map.ItemProcessor.States[step]).toMatchObject({
      Resource: `arn:${logicalIdOf(stack.segmentJobs.functions.step)}`,
      Next: `${name}PartDone`,
      Retry: expect.arrayContaining([
        expect.objectContaining({
          ErrorEquals: ["States.TaskFailed", "States.Timeout"],
          MaxAttempts: 3,
          BackoffRate: 2,
        }),
      ]),
    });
    expect(map.ItemProcessor.States[`${name}PartDone`]).toMatchObject({
      Type: "Choice",
      Choices: [{ Variable: "$.done", BooleanEquals: true, Next: `${name}PartFinished` }],
      Default: step,
    });
  });

  it("is named for the local stack, traced, logged, and alarms on failed and timed-out runs", () => {
    // GIVEN
    const machineRef = stack.resolve(stack.segmentJobs.stateMachine.stateMachineArn);
    // THEN
    template.hasResourceProperties("AWS::StepFunctions::StateMachine", {
      Tags: Match.arrayWith([{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.segmentJobsStateMachine }]),
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: "ALL" }),
    });
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

  it("starts rfm and recount when a rescoring run succeeds, with retries and a dead-letter queue", () => {
    // THEN
    template.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.states"],
        "detail-type": ["Step Functions Execution Status Change"],
        detail: {
          status: ["SUCCEEDED"],
          stateMachineArn: [stack.resolve(stack.rescoring.stateMachine.stateMachineArn)],
        },
      },
      Targets: NIGHTLY_SEGMENT_JOBS.map((job) =>
        Match.objectLike({
          Arn: stack.resolve(stack.segmentJobs.stateMachine.stateMachineArn),
          Input: JSON.stringify({ job }),
          DeadLetterConfig: Match.objectLike({}),
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3600 },
        }),
      ),
    });
  });

  it("grants least privilege: Plan touches no table, Finish only the segments table, Step what it writes", () => {
    // GIVEN
    const fns = stack.segmentJobs.functions;
    const roleOf = (fn: typeof fns.plan) => {
      if (fn.role === undefined) throw new Error("no role");
      return fn.role;
    };
    const tables = {
      profiles: logicalIdOf(stack.profiles.table),
      segments: logicalIdOf(stack.segments.table),
      sends: logicalIdOf(stack.sends.queue),
    };
    // WHEN
    const plan = statementsOf(template, roleOf(fns.plan));
    const finish = statementsOf(template, roleOf(fns.finish));
    const step = statementsOf(template, roleOf(fns.step));
    // THEN
    expect(plan.filter((s) => s.Action.some((a) => a.startsWith("dynamodb:")))).toEqual([]);
    expect(actionsOn(finish, tables.profiles)).toEqual([]);
    expect(actionsOn(finish, tables.segments)).toContain("dynamodb:PutItem");
    expect(actionsOn(finish, tables.sends)).toEqual([]);
    expect(actionsOn(step, tables.profiles)).toEqual(
      expect.arrayContaining(["dynamodb:Scan", "dynamodb:PutItem"]),
    );
    expect(actionsOn(step, tables.sends)).toContain("sqs:SendMessage");
    const machineRole = stack.segmentJobs.stateMachine.role;
    const invokes = statementsOf(template, machineRole).filter((s) =>
      s.Action.includes("lambda:InvokeFunction"),
    );
    const invoked = JSON.stringify(invokes.map((s) => s.Resource));
    for (const fn of Object.values(fns)) expect(invoked).toContain(logicalIdOf(fn));
    expect(invoked).not.toContain(logicalIdOf(stack.rescoring.functions.slice));
  });

  it("expires the segments table's markers and part states on ttl", () => {
    template.hasResourceProperties("AWS::DynamoDB::Table", {
      Tags: Match.arrayWith([{ Key: LOCAL_NAME_TAG, Value: LOCAL_NAMES.segmentsTable }]),
      TimeToLiveSpecification: { AttributeName: "ttl", Enabled: true },
    });
  });
});
