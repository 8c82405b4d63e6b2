import { afterAll, describe, expect, it } from "vitest";
import { startLocalStack } from "#infra/local/local-stack.js";
import type { TaskOutcome } from "#infra/local/state-machine-runner.js";
import type { StepFunctionTaskHandler } from "#infra/local/state-machine-tasks.js";
import { tempDir } from "./helpers.js";

const data = tempDir("tailor-machines-");
afterAll(() => data.remove());

const anyPort = { dynamodb: 0, kinesis: 0, sqsS3: 0, ses: 0, api: 0 };
const tagged = (name: string) => [{ Key: "tailor:local-name", Value: name }];
const fnArn = (id: string) => ({ "Fn::GetAtt": [id, "Arn"] });

/** `Plan` makes `n` items, a `Map` runs `Work` on each, `Sum` adds them up: a small batch like the rescoring. */
function definition(): unknown {
  const json = JSON.stringify({
    StartAt: "Plan",
    States: {
      Plan: { Type: "Task", Resource: "@PLAN@", Next: "Items" },
      Items: {
        Type: "Map",
        ItemsPath: "$.items",
        MaxConcurrency: 2,
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: "Work",
          States: { Work: { Type: "Task", Resource: "@WORK@", End: true } },
        },
        ResultPath: "$.results",
        Next: "Sum",
      },
      Sum: { Type: "Task", Resource: "@SUM@", End: true },
    },
  });
  const parts: unknown[] = [];
  for (const piece of json.split(/(@[A-Z]+@)/)) {
    if (piece === "@PLAN@") parts.push(fnArn("PlanFn"));
    else if (piece === "@WORK@") parts.push(fnArn("WorkFn"));
    else if (piece === "@SUM@") parts.push(fnArn("SumFn"));
    else parts.push(piece);
  }
  return { "Fn::Join": ["", parts] };
}

const lambda = (name: string) => ({
  Type: "AWS::Lambda::Function",
  Properties: { Tags: tagged(name), Timeout: 5, Environment: { Variables: { STAGE: name } } },
});
const rule = (name: string, expression: string, input: unknown) => ({
  Type: "AWS::Events::Rule",
  Properties: {
    ScheduleExpression: expression,
    State: "ENABLED",
    Tags: tagged(name),
    Targets: [{ Id: "Target0", Arn: { Ref: "Batch" }, Input: JSON.stringify(input) }],
  },
});

const template = {
  Resources: {
    PlanFn: lambda("batch-plan"),
    WorkFn: lambda("batch-work"),
    SumFn: lambda("batch-sum"),
    Batch: {
      Type: "AWS::StepFunctions::StateMachine",
      Properties: { Tags: tagged("batch"), DefinitionString: definition() },
    },
    Nightly: rule("batch-nightly", "cron(0 3 * * ? *)", { run: "nightly", n: 3 }),
    Often: rule("batch-often", "rate(1 minute)", { run: "often", n: 1 }),
  },
};

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
  return Object.fromEntries(Object.entries(value));
}

/** Test handlers of the three functions: what each run summed, and whether `Work` fails. */
function batchHandlers() {
  const sums: { run: unknown; total: number }[] = [];
  let failWork = false;
  const plan: StepFunctionTaskHandler = async (input) => {
    const { run, n } = record(input);
    return { run, items: Array.from({ length: Number(n) }, (_, i) => i + 1) };
  };
  const work: StepFunctionTaskHandler = async (input) => {
    if (failWork) throw new Error("work failed");
    return Number(input) * 10;
  };
  const sum: StepFunctionTaskHandler = async (input) => {
    const { run, results } = record(input);
    if (!Array.isArray(results)) throw new Error("no results");
    const total = results.reduce((acc: number, value: unknown) => acc + Number(value), 0);
    sums.push({ run, total });
    return { run, total };
  };
  return {
    sums,
    failWork: (fail: boolean) => {
      failWork = fail;
    },
    handlers: { "batch-plan": plan, "batch-work": work, "batch-sum": sum },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("startLocalStack: state machines", () => {
  it("starts a state machine from its schedule rules, on demand and on the clock, and runs it by name", async () => {
    const batch = batchHandlers();
    const lines: string[] = [];
    const stack = await startLocalStack({
      dataDir: data.dir,
      fresh: true,
      ports: anyPort,
      template,
      pollers: false,
      schedules: true,
      handlers: batch.handlers,
      scheduleIntervalMs: 150,
      log: (line) => lines.push(line),
    });
    try {
      // THEN the machine and both rules are known, and nothing says the rules are not run
      expect(stack.names.stateMachines).toEqual(["batch"]);
      expect([...stack.names.schedules].sort()).toEqual(["batch-nightly", "batch-often"]);
      expect(lines.filter((line) => line.includes("not run"))).toEqual([]);

      // WHEN the nightly rule is run now
      const run = await stack.runSchedulesNow(["batch-nightly"]);
      // THEN the execution ran to its end with the rule's Input before the promise resolved
      expect(run).toEqual({ invocations: 1, errors: 0 });
      expect(batch.sums.filter((s) => s.run === "nightly")).toEqual([{ run: "nightly", total: 60 }]);

      // WHEN time passes, the rate rule starts its own executions on the clock
      const deadline = Date.now() + 5000;
      while (batch.sums.filter((s) => s.run === "often").length < 2 && Date.now() < deadline) await sleep(20);
      expect(batch.sums.filter((s) => s.run === "often").length).toBeGreaterThanOrEqual(2);
      expect(batch.sums.filter((s) => s.run === "nightly")).toHaveLength(1);

      // WHEN every schedule is ticked without naming one, no batch is started
      expect(await stack.runSchedulesNow()).toEqual({ invocations: 0, errors: 0 });

      // WHEN the machine is run by name
      const outcomes: TaskOutcome[] = [];
      const output = await stack.startExecution(
        "batch",
        { run: "direct", n: 4 },
        { onTask: (o) => outcomes.push(o) },
      );
      expect(output).toEqual({ run: "direct", total: 100 });
      expect(outcomes.filter((o) => o.state === "Work" && o.ok)).toHaveLength(4);
      await expect(stack.startExecution("nope", {})).rejects.toThrow(/no state machine nope.*batch/);

      // WHEN an execution fails, the tick counts and logs it
      batch.failWork(true);
      const failed = await stack.runSchedulesNow(["batch-nightly"]);
      expect(failed).toEqual({ invocations: 1, errors: 1 });
      const nightly = stack.scheduler.counters.find((c) => c.name === "batch-nightly");
      expect(nightly).toMatchObject({ ticks: 2, invocations: 2, errors: 1 });
      expect(nightly?.lastError).toMatch(/batch-nightly → state machine batch: .*work failed/);
      expect(lines.some((line) => line.startsWith("schedule batch-nightly → state machine batch"))).toBe(
        true,
      );
    } finally {
      await stack.stop();
    }
    await expect(stack.startExecution("batch", { run: "late", n: 1 })).rejects.toThrow(/stopped/);
  }, 20_000);

  it("puts an execution's end on the bus: a rule whose pattern names the machine's ARN starts another, as on AWS", async () => {
    const batch = batchHandlers();
    const followed: unknown[] = [];
    const follow: StepFunctionTaskHandler = async (input) => {
      followed.push(input);
      return input;
    };
    const chained = {
      Resources: {
        ...Object.fromEntries(
          Object.entries(template.Resources).filter(([id]) => !["Nightly", "Often"].includes(id)),
        ),
        FollowFn: lambda("follow-step"),
        Follow: {
          Type: "AWS::StepFunctions::StateMachine",
          Properties: {
            Tags: tagged("follow"),
            DefinitionString: {
              "Fn::Join": [
                "",
                [
                  '{"StartAt":"Step","States":{"Step":{"Type":"Task","Resource":"',
                  fnArn("FollowFn"),
                  '","End":true}}}',
                ],
              ],
            },
          },
        },
        AfterBatch: {
          Type: "AWS::Events::Rule",
          Properties: {
            State: "ENABLED",
            Tags: tagged("after-batch"),
            EventPattern: {
              source: ["aws.states"],
              "detail-type": ["Step Functions Execution Status Change"],
              detail: { status: ["SUCCEEDED"], stateMachineArn: [{ Ref: "Batch" }] },
            },
            Targets: [{ Id: "Target0", Arn: { Ref: "Follow" }, Input: JSON.stringify({ after: "batch" }) }],
          },
        },
      },
    };
    const lines: string[] = [];
    const stack = await startLocalStack({
      dataDir: data.dir,
      fresh: true,
      ports: anyPort,
      template: chained,
      pollers: false,
      schedules: true,
      handlers: { ...batch.handlers, "follow-step": follow },
      log: (line) => lines.push(line),
    });
    try {
      expect(lines.filter((line) => line.includes("not run"))).toEqual([]);
      // WHEN the batch succeeds THEN the rule starts the follow-up with its Input, and idle waits for it
      await stack.startExecution("batch", { run: "direct", n: 2 });
      await stack.waitUntilIdle({ timeoutMs: 10_000 });
      expect(followed).toEqual([{ after: "batch" }]);
      // WHEN it fails THEN nothing follows (the pattern wants SUCCEEDED)
      batch.failWork(true);
      await expect(stack.startExecution("batch", { run: "failing", n: 1 })).rejects.toThrow(/work failed/);
      await stack.waitUntilIdle({ timeoutMs: 10_000 });
      expect(followed).toHaveLength(1);
    } finally {
      await stack.stop();
    }
  }, 60_000);
});
