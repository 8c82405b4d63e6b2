import { describe, expect, it } from "vitest";
import { planResources } from "#infra/local/resource-plan.js";
import { stackTemplate } from "#infra/local/stack-template.js";
import { LOCAL_NAMES } from "#infra/local-names.js";

const options = { region: "us-east-1", accountId: "000000000000", sqsEndpoint: "http://127.0.0.1:4566" };
const tagged = (name: string) => [{ Key: "tailor:local-name", Value: name }];

/** A function, and rules pointing at it (or elsewhere), as CDK writes them. */
function templateWith(rules: Record<string, Record<string, unknown>>) {
  const resources: Record<string, unknown> = {
    TimersFn: { Type: "AWS::Lambda::Function", Properties: { Tags: tagged("tailor-segment-timers") } },
    Untagged: { Type: "AWS::Lambda::Function", Properties: {} },
  };
  for (const [id, properties] of Object.entries(rules)) {
    resources[id] = { Type: "AWS::Events::Rule", Properties: properties };
  }
  return { Resources: resources };
}
const toTimers = { Id: "Target0", Arn: { "Fn::GetAtt": ["TimersFn", "Arn"] } };

describe("planResources: schedules", () => {
  it("finds a rate rule and its Lambda target, named by its tag, with the local rule ARN", () => {
    const plan = planResources(
      templateWith({
        Schedule: {
          ScheduleExpression: "rate(1 minute)",
          State: "ENABLED",
          Targets: [toTimers],
          Tags: tagged("tailor-segment-timers-schedule"),
        },
      }),
      options,
    );
    expect(plan.schedules).toEqual([
      {
        logicalId: "Schedule",
        name: "tailor-segment-timers-schedule",
        arn: "arn:aws:events:us-east-1:000000000000:rule/tailor-segment-timers-schedule",
        expression: "rate(1 minute)",
        periodMs: 60_000,
        targets: [{ id: "Target0", functionName: "tailor-segment-timers" }],
      },
    ]);
    expect(plan.names.Schedule).toBe("tailor-segment-timers-schedule");
  });

  it("names an untagged rule by its Name, else its logical id", () => {
    const plan = planResources(
      templateWith({
        Named: { Name: "hourly", ScheduleExpression: "rate(1 hour)", Targets: [toTimers] },
        Anonymous: { ScheduleExpression: "rate(3 hours)", Targets: [toTimers] },
      }),
      options,
    );
    expect(plan.schedules.map((s) => [s.name, s.arn, s.periodMs])).toEqual([
      ["hourly", "arn:aws:events:us-east-1:000000000000:rule/hourly", 3_600_000],
      ["Anonymous", "arn:aws:events:us-east-1:000000000000:rule/Anonymous", 10_800_000],
    ]);
  });

  it("leaves out, with a note each, what it cannot run", () => {
    const plan = planResources(
      templateWith({
        Cron: { ScheduleExpression: "cron(0 12 * * MON *)", Targets: [toTimers] },
        FirstMonday: { ScheduleExpression: "cron(0 9 ? * 2#1 *)", Targets: [toTimers] },
        Disabled: { ScheduleExpression: "rate(1 minute)", State: "DISABLED", Targets: [toTimers] },
        Pattern: { EventPattern: { source: [{ suffix: ".s3" }] }, Targets: [toTimers] },
        OtherBus: { EventBusName: "custom", EventPattern: { source: ["aws.s3"] }, Targets: [toTimers] },
        Elsewhere: {
          ScheduleExpression: "rate(1 minute)",
          Targets: [{ Id: "Far", Arn: "arn:aws:lambda:us-east-1:1:function:elsewhere" }],
        },
        Mixed: {
          ScheduleExpression: "rate(2 minutes)",
          Targets: [
            { ...toTimers, Input: '{"fixed":true}' },
            { Id: "Untagged", Arn: { "Fn::GetAtt": ["Untagged", "Arn"] } },
          ],
        },
      }),
      options,
    );
    expect(plan.schedules.map((s) => [s.logicalId, s.targets.map((t) => t.functionName)])).toEqual([
      ["FirstMonday", ["tailor-segment-timers"]],
      ["Mixed", ["tailor-segment-timers"]],
    ]);
    expect(plan.notes).toEqual(
      expect.arrayContaining([
        'Cron: cron(0 12 * * MON *): day-of-month "*" and day-of-week "MON": exactly one of them must be ?: not run',
        "Disabled: DISABLED in the template: not run",
        'Pattern: source: the filter {"suffix":".s3"} is not supported by the local stack: not run locally',
        "OtherBus: a rule of another event bus: not run locally",
        "Elsewhere Targets.Far: arn:aws:lambda:us-east-1:1:function:elsewhere is not a function of the local stack: not invoked",
        "Elsewhere: no target is a function of the local stack: not run",
        "Mixed Targets.Untagged: arn:aws:lambda:us-east-1:000000000000:function:Untagged is not a function of the local stack: not invoked",
      ]),
    );
    // The Input of a target is kept: the function gets it instead of the Scheduled Event.
    expect(plan.schedules[1]?.targets[0]?.input).toEqual({ kind: "constant", value: { fixed: true } });
    expect(plan.eventRules).toEqual([]);
  });

  it("finds the app's every-minute segment-timers schedule, and what its function needs, in the synthesised template", async () => {
    // GIVEN the template the local stack reads by default
    const plan = planResources(await stackTemplate(), options);
    // THEN
    expect(plan.schedules.filter((s) => s.name === LOCAL_NAMES.segmentTimersSchedule)).toEqual([
      {
        logicalId: expect.any(String),
        name: LOCAL_NAMES.segmentTimersSchedule,
        arn: `arn:aws:events:us-east-1:000000000000:rule/${LOCAL_NAMES.segmentTimersSchedule}`,
        expression: "rate(1 minute)",
        periodMs: 60_000,
        targets: [{ id: expect.any(String), functionName: LOCAL_NAMES.segmentTimersFunction }],
      },
    ]);
    const queueUrl = (name: string) => `http://127.0.0.1:4566/000000000000/${name}`;
    const timers = plan.functions.find((f) => f.name === LOCAL_NAMES.segmentTimersFunction);
    expect(timers?.environment).toMatchObject({
      PROFILES_TABLE: LOCAL_NAMES.profileTable,
      SEGMENTS_DIR: "templates/segments",
      TIMERS_TABLE: LOCAL_NAMES.timersTable,
      SEGMENTS_TABLE: LOCAL_NAMES.segmentsTable,
      TRANSITIONS_QUEUE_URL: queueUrl(LOCAL_NAMES.transitionsQueue),
    });
    const ingest = plan.functions.find((f) => f.name === LOCAL_NAMES.ingestFunction);
    expect(ingest?.environment).toMatchObject({
      SEGMENTS_DIR: "templates/segments",
      TIMERS_TABLE: LOCAL_NAMES.timersTable,
      TRANSITIONS_QUEUE_URL: queueUrl(LOCAL_NAMES.transitionsQueue),
    });
    expect(plan.tables.map((t) => t.name)).toEqual(
      expect.arrayContaining([LOCAL_NAMES.timersTable, LOCAL_NAMES.segmentsTable]),
    );
    // The transitions queue redrives to its dead-letter queue, declared (so created) before it.
    const names = plan.queues.map((q) => q.name);
    expect(names.indexOf(LOCAL_NAMES.transitionsDeadLetterQueue)).toBeLessThan(
      names.indexOf(LOCAL_NAMES.transitionsQueue),
    );
    const transitions = plan.queues.find((q) => q.name === LOCAL_NAMES.transitionsQueue);
    expect(JSON.parse(transitions?.attributes.RedrivePolicy ?? "{}")).toEqual({
      deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${LOCAL_NAMES.transitionsDeadLetterQueue}`,
      maxReceiveCount: "5",
    });
    // The only rules left out start state machines (the nightly rescoring, the segment jobs after it, the
    // scheduled campaigns' fan-out, the weekly model training), which the local stack runs from their rules itself
    // (state-machine-plan.ts).
    const left = plan.notes.filter((note) => /Rule|Schedule/.test(note));
    expect(left.length).toBeGreaterThan(0);
    expect(
      left.filter(
        (note) => !/Rescor|SegmentJob|StateMachine|CampaignTriggersSchedule|ModelTraining/.test(note),
      ),
    ).toEqual([]);
  });
});
