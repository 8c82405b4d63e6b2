import { describe, expect, it } from "vitest";
import { planResources } from "#infra/local/resource-plan.js";
import { planStateMachineSchedules, planStateMachines } from "#infra/local/state-machine-plan.js";

const options = { region: "us-east-1", accountId: "000000000000" };
const tagged = (name: string) => [{ Key: "tailor:local-name", Value: name }];
const MACHINE_ARN = "arn:aws:states:us-east-1:000000000000:stateMachine:nightly-batch";

/** A function, a state machine invoking it, and rules targeting one or the other, as CDK writes them. */
function templateWith(rules: Record<string, Record<string, unknown>>) {
  const resources: Record<string, unknown> = {
    WorkFn: { Type: "AWS::Lambda::Function", Properties: { Tags: tagged("tailor-work") } },
    Batch: {
      Type: "AWS::StepFunctions::StateMachine",
      Properties: {
        Tags: tagged("nightly-batch"),
        DefinitionString: {
          "Fn::Join": [
            "",
            [
              '{"StartAt":"Work","States":{"Work":{"Type":"Task","End":true,"Resource":"',
              { "Fn::GetAtt": ["WorkFn", "Arn"] },
              '"}}}',
            ],
          ],
        },
      },
    },
    Queue: { Type: "AWS::SQS::Queue", Properties: { Tags: tagged("tailor-q") } },
  };
  for (const [id, properties] of Object.entries(rules)) {
    resources[id] = { Type: "AWS::Events::Rule", Properties: properties };
  }
  return { Resources: resources };
}
const toMachine = { Id: "Target0", Arn: { Ref: "Batch" }, Input: '{"totalSegments":4}' };
const toWork = { Id: "Work", Arn: { "Fn::GetAtt": ["WorkFn", "Arn"] } };

function plan(template: unknown) {
  const resources = planResources(template, { ...options, sqsEndpoint: "http://127.0.0.1:4566" });
  const machines = planStateMachines(template, resources, options);
  return { resources, machines, rules: planStateMachineSchedules(template, resources, machines, options) };
}

describe("planStateMachineSchedules", () => {
  it("plans a cron rule whose target is a state machine's Ref, with the target's Input", () => {
    const { resources, machines, rules } = plan(
      templateWith({
        Nightly: {
          ScheduleExpression: "cron(0 3 * * ? *)",
          State: "ENABLED",
          Targets: [toMachine],
          Tags: tagged("nightly-schedule"),
        },
      }),
    );
    expect(machines.map((m) => [m.name, m.arn])).toEqual([["nightly-batch", MACHINE_ARN]]);
    // The resource plan alone does not know the machine: it leaves the rule out, saying so.
    expect(resources.schedules).toEqual([]);
    expect(resources.notes).toContain("Nightly: no target is a function of the local stack: not run");
    // With the machines known, the rule is a schedule that starts it.
    expect(rules.ruleIds).toEqual(new Set(["Nightly"]));
    expect(rules.notes).toEqual([]);
    expect(rules.schedules).toEqual([
      {
        logicalId: "Nightly",
        name: "nightly-schedule",
        arn: "arn:aws:events:us-east-1:000000000000:rule/nightly-schedule",
        expression: "cron(0 3 * * ? *)",
        cron: expect.objectContaining({}),
        targets: [],
        stateMachineTargets: [
          {
            id: "Target0",
            stateMachineName: "nightly-batch",
            input: { kind: "constant", value: { totalSegments: 4 } },
          },
        ],
      },
    ]);
  });

  it("keeps a rule's function targets beside its state machine, knows a machine by its ARN, and leaves other rules to the resource plan", () => {
    const { resources, rules } = plan(
      templateWith({
        Mixed: {
          ScheduleExpression: "rate(1 hour)",
          Targets: [
            toWork,
            { Id: "ByArn", Arn: MACHINE_ARN },
            { Id: "Q", Arn: { "Fn::GetAtt": ["Queue", "Arn"] } },
          ],
        },
        FunctionsOnly: { ScheduleExpression: "rate(5 minutes)", Targets: [toWork] },
        Disabled: { ScheduleExpression: "rate(1 day)", State: "DISABLED", Targets: [toMachine] },
      }),
    );
    expect(rules.schedules.map((s) => [s.name, s.periodMs, s.targets, s.stateMachineTargets])).toEqual([
      [
        "Mixed",
        3_600_000,
        [{ id: "Work", functionName: "tailor-work" }],
        [{ id: "ByArn", stateMachineName: "nightly-batch" }],
      ],
    ]);
    expect(rules.ruleIds).toEqual(new Set(["Mixed"]));
    expect(rules.notes).toEqual([
      "Mixed Targets.Q: arn:aws:sqs:us-east-1:000000000000:tailor-q is not a function of the local stack: not invoked",
    ]);
    // The function-only rule is the resource plan's, exactly as before.
    expect(resources.schedules.find((s) => s.name === "FunctionsOnly")?.targets).toEqual([
      { id: "Work", functionName: "tailor-work" },
    ]);
  });

  it("does not start a state machine from an event-pattern rule, and plans nothing without machines", () => {
    const { rules } = plan(
      templateWith({
        OnEvent: { EventPattern: { source: ["shop"] }, Targets: [toMachine] },
      }),
    );
    expect(rules.schedules).toEqual([]);
    const empty = planResources(templateWith({}), { ...options, sqsEndpoint: "http://127.0.0.1:4566" });
    expect(planStateMachineSchedules(templateWith({}), empty, [], options).schedules).toEqual([]);
  });
});
