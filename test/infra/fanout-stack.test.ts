import { App } from "aws-cdk-lib";
import { Match, type Template } from "aws-cdk-lib/assertions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { FANOUT_PART_ATTEMPTS } from "#infra/components/campaign-fanout.js";
import { resolveFanOutSettings } from "#infra/components/fanout-settings.js";
import { InfraConfigError } from "#infra/components/infra-config-error.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import type { TailorStack } from "#infra/tailor-stack.js";
import { defaultApp } from "./shared-app.js";
import {
  actionsOn,
  logicalIdOf,
  stateMachineDefinition,
  statementsOf,
  stateSchema,
} from "./template-queries.js";

const processorSchema = z.object({
  ItemProcessor: z.object({
    ProcessorConfig: z.object({ Mode: z.string(), ExecutionType: z.string() }),
    StartAt: z.string(),
    States: z.record(z.string(), stateSchema),
  }),
});

describe("campaign fan-out workflow", () => {
  let stack: TailorStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = defaultApp());
  });

  it("Plan → Parts, a Distributed Map of standard children over the planned parts → Finish", () => {
    // WHEN
    const definition = stateMachineDefinition(template, LOCAL_NAMES.fanOutStateMachine);
    const fns = stack.campaignFanOut.functions;
    // THEN
    expect(definition.StartAt).toBe("Plan");
    expect(definition.States.Plan).toMatchObject({ Resource: `arn:${logicalIdOf(fns.plan)}`, Next: "Parts" });
    expect(definition.States.Parts).toMatchObject({
      Type: "Map",
      ItemsPath: "$.items",
      MaxConcurrency: 100,
      ItemSelector: { "part.$": "$$.Map.Item.Value.part", "occurrence.$": "$.occurrence" },
      ResultPath: null,
      Next: "Finish",
    });
    const processor = processorSchema.parse(definition.States.Parts).ItemProcessor;
    expect(processor.ProcessorConfig).toEqual({ Mode: "DISTRIBUTED", ExecutionType: "STANDARD" });
    expect(definition.States.Finish).toMatchObject({
      Resource: `arn:${logicalIdOf(fns.finish)}`,
      Parameters: { "campaignId.$": "$.campaignId", "occurrence.$": "$.occurrence" },
      End: true,
    });
    expect(definition.TimeoutSeconds).toBe(6 * 3600);
  });

  it("loops each part until it is done, retrying a failed invocation (which resumes from its checkpoint)", () => {
    const processor = processorSchema.parse(
      stateMachineDefinition(template, LOCAL_NAMES.fanOutStateMachine).States.Parts,
    ).ItemProcessor;
    expect(processor.StartAt).toBe("Part");
    expect(processor.States.Part).toMatchObject({
      Resource: `arn:${logicalIdOf(stack.campaignFanOut.functions.part)}`,
      Next: "PartDone?",
      Retry: [{ ErrorEquals: ["States.TaskFailed"], MaxAttempts: FANOUT_PART_ATTEMPTS - 1, BackoffRate: 2 }],
    });
    expect(processor.States["PartDone?"]).toMatchObject({
      Type: "Choice",
      Choices: [{ Variable: "$.done", BooleanEquals: true, Next: "PartFinished" }],
      Default: "Part",
    });
  });

  it("alarms on failed and timed-out executions, to the alarm topic", () => {
    const machine = logicalIdOf(stack.campaignFanOut.stateMachine);
    for (const metric of ["ExecutionsFailed", "ExecutionsTimedOut"]) {
      template.hasResourceProperties("AWS::CloudWatch::Alarm", {
        Namespace: "AWS/States",
        MetricName: metric,
        Dimensions: [{ Name: "StateMachineArn", Value: { Ref: machine } }],
        Threshold: 0,
        AlarmActions: [{ Ref: logicalIdOf(stack.alarmTopic) }],
      });
    }
  });

  it("grants each function only what its step does", () => {
    const { plan, part, finish } = stack.campaignFanOut.functions;
    const profiles = logicalIdOf(stack.profiles.table);
    const segments = logicalIdOf(stack.segments.table);
    const sends = logicalIdOf(stack.sends.queue);
    const planStatements = statementsOf(template, roleOf(plan));
    expect(actionsOn(planStatements, profiles)).toEqual(["dynamodb:DescribeTable"]);
    expect(actionsOn(planStatements, sends)).toEqual([]);
    const partStatements = statementsOf(template, roleOf(part));
    expect(actionsOn(partStatements, profiles)).toContain("dynamodb:Scan");
    expect(actionsOn(partStatements, profiles)).not.toContain("dynamodb:PutItem");
    expect(actionsOn(partStatements, profiles)).not.toContain("dynamodb:UpdateItem");
    expect(actionsOn(partStatements, sends)).toContain("sqs:SendMessage");
    expect(actionsOn(partStatements, segments)).toContain("dynamodb:UpdateItem");
    const finishStatements = statementsOf(template, roleOf(finish));
    expect(actionsOn(finishStatements, profiles)).toEqual([]);
    expect(actionsOn(finishStatements, sends)).toEqual([]);
    // The state machine invokes its three functions, and starts child executions of itself only.
    const machineStatements = statementsOf(template, stack.campaignFanOut.stateMachine.role);
    const invoked = machineStatements.filter((s) => s.Action.includes("lambda:InvokeFunction"));
    expect(JSON.stringify(invoked)).not.toContain(logicalIdOf(stack.dispatch.function));
    const starts = machineStatements.filter((s) => s.Action.includes("states:StartExecution"));
    expect(starts.length).toBeGreaterThan(0);
    expect(JSON.stringify(starts.map((s) => s.Resource))).toContain(
      logicalIdOf(stack.campaignFanOut.stateMachine),
    );
  });

  it("keeps SES's account rate across dispatch instances: most instances × each one's rate = the setting", () => {
    // GIVEN dispatch's one event source (the sends queue) and its share of the rate
    const mappings = Object.values(template.findResources("AWS::Lambda::EventSourceMapping")).filter(
      (mapping) =>
        JSON.stringify(mapping.Properties.FunctionName).includes(logicalIdOf(stack.dispatch.function)),
    );
    const fn = template.findResources("AWS::Lambda::Function")[logicalIdOf(stack.dispatch.function)];
    // THEN
    expect(mappings).toHaveLength(1);
    const instances = Number(mappings[0]?.Properties.ScalingConfig.MaximumConcurrency);
    const perInstance = Number(fn?.Properties.Environment.Variables.SEND_RATE_PER_SECOND);
    expect(instances * perInstance).toBeCloseTo(stack.campaignSettings.sendRatePerSecond, 9);
  });

  it("bounds each part in time and memory", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      Tags: Match.arrayWith([{ Key: "tailor:local-name", Value: LOCAL_NAMES.fanOutPartFunction }]),
      Timeout: 300,
      MemorySize: 512,
      Environment: {
        Variables: Match.objectLike({ FANOUT_PART_BUDGET_SECONDS: "240", FANOUT_PAGE_SIZE: "500" }),
      },
    });
  });

  it("reads its settings from the context, refusing a value out of range with the key and an example", () => {
    const node = new App({ context: { fanOutMaxConcurrency: "250", fanOutProfilesPerPart: 20000 } }).node;
    expect(resolveFanOutSettings({}, node)).toEqual({ maxConcurrency: 250, profilesPerPart: 20_000 });
    expect(resolveFanOutSettings({}, new App().node)).toEqual({
      maxConcurrency: 100,
      profilesPerPart: 50_000,
    });
    const bad = new App({ context: { fanOutMaxConcurrency: 5000 } }).node;
    expect(() => resolveFanOutSettings({}, bad)).toThrow(InfraConfigError);
    expect(() => resolveFanOutSettings({}, bad)).toThrow(
      /fanOutMaxConcurrency .* -c fanOutMaxConcurrency=200/,
    );
  });
});

/** The execution role of a function of the app. */
function roleOf(fn: IFunction): IConstruct {
  if (fn.role === undefined) throw new Error(`${fn.node.path} has no role`);
  return fn.role;
}
