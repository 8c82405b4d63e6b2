import { describe, expect, it, vi } from "vitest";
import { rescoreSummaryLines } from "#cli/rescore-command.js";
import { lambdaContext } from "#infra/local/kinesis-event.js";
import { modelEndpointsOf } from "#infra/local/model-server-runner.js";
import type { FunctionSpec } from "#infra/local/resource-plan.js";
import { planResources } from "#infra/local/resource-plan.js";
import { planStateMachines, type StateMachineSpec } from "#infra/local/state-machine-plan.js";
import { runStateMachine, type TaskBinding, type TaskOutcome } from "#infra/local/state-machine-runner.js";
import { bindStateMachineTasks, type StepFunctionTaskHandler } from "#infra/local/state-machine-tasks.js";
import {
  LOCAL_DEFAULT_TASK_TIMEOUT_SECONDS,
  withStepFunctionsTaskTimeouts,
} from "#infra/local/task-timeouts.js";

const options = { region: "us-east-1", accountId: "000000000000" };
const lambdaArn = { "Fn::GetAtt": ["RescoreFn", "Arn"] };

/** The contract's state machine, as CDK writes it: a `Fn::Join` around the Lambda ARNs. */
function definitionString(): unknown {
  const sliceRetry = [
    {
      ErrorEquals: ["States.TaskFailed", "ScorerUnavailableError"],
      MaxAttempts: 3,
      BackoffRate: 2,
      IntervalSeconds: 1,
    },
  ];
  const json = JSON.stringify({
    StartAt: "Plan",
    States: {
      Plan: { Type: "Task", Resource: "@@", Next: "Slices" },
      Slices: {
        Type: "Map",
        ItemsPath: "$.slices",
        MaxConcurrency: 4,
        ItemSelector: {
          "startedAt.$": "$.startedAt",
          "segment.$": "$$.Map.Item.Value.segment",
          "totalSegments.$": "$$.Map.Item.Value.totalSegments",
        },
        ItemProcessor: {
          ProcessorConfig: { Mode: "INLINE" },
          StartAt: "RescoreSlice",
          States: {
            RescoreSlice: {
              Type: "Task",
              Resource: "@@",
              Retry: sliceRetry,
              Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "SliceFailed" }],
              End: true,
            },
            SliceFailed: {
              Type: "Pass",
              Parameters: { failed: true, "segment.$": "$.segment" },
              End: true,
            },
          },
        },
        ResultPath: "$.summaries",
        Next: "Finish",
      },
      Finish: {
        Type: "Task",
        Resource: "@@",
        Parameters: { "startedAt.$": "$.startedAt", "summaries.$": "$.summaries" },
        End: true,
      },
    },
  });
  // Split the JSON at each "@@" and put the function's ARN in between, as CDK's tokens do.
  const [first, ...rest] = json.split("@@");
  const joined: unknown[] = [first];
  for (const piece of rest) joined.push(lambdaArn, piece);
  return { "Fn::Join": ["", joined] };
}

const template = {
  Resources: {
    RescoreFn: {
      Type: "AWS::Lambda::Function",
      Properties: {
        Tags: [{ Key: "tailor:local-name", Value: "tailor-rescore" }],
        Environment: { Variables: { MODEL_ENDPOINTS: '{"purchase_30d":"tailor-purchase-30d"}' } },
        Timeout: 60,
      },
    },
    Rescore: {
      Type: "AWS::StepFunctions::StateMachine",
      Properties: {
        Tags: [{ Key: "tailor:local-name", Value: "tailor-rescore" }],
        DefinitionString: definitionString(),
      },
    },
  },
};

function machine(): StateMachineSpec {
  const plan = planResources(template, { ...options, sqsEndpoint: "http://127.0.0.1:1" });
  const [spec, ...others] = planStateMachines(template, plan, options);
  if (spec === undefined || others.length > 0) throw new Error("expected one state machine");
  return spec;
}

const fn = { functionName: "tailor-rescore", functionArn: "arn", memorySize: 128, timeoutSeconds: 5 };
const bind = (handler: StepFunctionTaskHandler): TaskBinding => ({ function: fn, handler });

function record(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not an object");
  return Object.fromEntries(Object.entries(value));
}

class ScorerUnavailableError extends Error {
  override name = "ScorerUnavailableError";
}

describe("planStateMachines", () => {
  it("resolves the Fn::Join definition to the local function ARN and finds the task states' function", () => {
    const spec = machine();
    expect(spec.name).toBe("tailor-rescore");
    expect(spec.taskFunctions).toEqual({
      Plan: "tailor-rescore",
      RescoreSlice: "tailor-rescore",
      Finish: "tailor-rescore",
    });
    expect(JSON.stringify(spec.definition)).toContain(
      "arn:aws:lambda:us-east-1:000000000000:function:tailor-rescore",
    );
  });
});

describe("runStateMachine", () => {
  it("runs Map with bounded concurrency, retries a flaky slice and catches a failing one", async () => {
    const attempts = new Map<number, number>();
    let running = 0;
    let peak = 0;
    const outcomes: TaskOutcome[] = [];
    const tasks: Record<string, TaskBinding> = {
      Plan: bind(async (input) => {
        const total = Number(record(input).totalSegments);
        return {
          startedAt: 1000,
          slices: Array.from({ length: total }, (_, segment) => ({ segment, totalSegments: total })),
        };
      }),
      RescoreSlice: bind(async (input) => {
        const { segment, startedAt } = record(input);
        const n = Number(segment);
        attempts.set(n, (attempts.get(n) ?? 0) + 1);
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running -= 1;
        if (n === 2) throw new Error("slice 2 always fails");
        if (n === 5 && attempts.get(n) === 1) throw new ScorerUnavailableError("model server down");
        return { segment: n, startedAt, scored: 10 + n };
      }),
      Finish: bind(async (input) => {
        const { summaries, startedAt } = record(input);
        if (!Array.isArray(summaries)) throw new Error("no summaries");
        const ok = summaries.map(record).filter((s) => s.failed !== true);
        return {
          startedAt,
          scored: ok.reduce((sum, s) => sum + Number(s.scored), 0),
          failedSlices: summaries
            .map(record)
            .filter((s) => s.failed === true)
            .map((s) => s.segment),
        };
      }),
    };
    const output = await runStateMachine(machine(), {
      input: { totalSegments: 8 },
      tasks,
      retryIntervalMs: 0,
      onTask: (outcome) => outcomes.push(outcome),
    });

    const expectedScored = [0, 1, 3, 4, 5, 6, 7].reduce((sum, n) => sum + 10 + n, 0);
    expect(output).toEqual({ startedAt: 1000, scored: expectedScored, failedSlices: [2] });
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
    // Slice 2: the first attempt and 3 retries; slice 5: one retry; the rest once.
    expect(attempts.get(2)).toBe(4);
    expect(attempts.get(5)).toBe(2);
    expect(attempts.get(0)).toBe(1);
    const slices = outcomes.filter((o) => o.state === "RescoreSlice");
    expect(slices.filter((o) => o.ok)).toHaveLength(7);
    expect(slices.filter((o) => !o.ok).map((o) => o.error)).toContain("ScorerUnavailableError");
  });

  it("refuses a definition whose task states are not all bound", async () => {
    await expect(
      runStateMachine(machine(), { input: {}, tasks: { Plan: bind(async () => ({})) } }),
    ).rejects.toThrow(/RescoreSlice, Finish/);
  });

  it("bounds a task by its function's timeout, as Step Functions does, not by the emulator's 60 s default", async () => {
    // GIVEN tasks that work for 90 s within a function timeout of 15 minutes (fake timers), and one task state
    // with a timeout of its own
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    try {
      const slow: TaskBinding = {
        function: { ...fn, timeoutSeconds: 900 },
        handler: () =>
          new Promise((resolve) => setTimeout(() => resolve({ startedAt: "t", slices: [] }), 90_000)),
      };
      // WHEN
      const run = runStateMachine(machine(), {
        input: {},
        tasks: { Plan: slow, RescoreSlice: slow, Finish: slow },
      });
      const settled = run.then(
        (output) => ({ ok: true, output }),
        (error: unknown) => ({ ok: false, output: String(error) }),
      );
      await vi.advanceTimersByTimeAsync(200_000);
      // THEN the execution finishes: Plan and Finish each took 90 s
      expect(await settled).toEqual({ ok: true, output: { startedAt: "t", slices: [] } });
      const defined = withStepFunctionsTaskTimeouts({
        StartAt: "A",
        States: {
          A: { Type: "Task", Resource: "arn", TimeoutSeconds: 10, Next: "B" },
          B: {
            Type: "Map",
            ItemProcessor: { StartAt: "C", States: { C: { Type: "Task", Resource: "arn", End: true } } },
            End: true,
          },
        },
      });
      expect(JSON.stringify(defined)).toContain('"TimeoutSeconds":10');
      expect(JSON.stringify(defined)).toContain(`"TimeoutSeconds":${LOCAL_DEFAULT_TASK_TIMEOUT_SECONDS}`);
    } finally {
      vi.useRealTimers();
    }
  });

  it("fails the execution when a task outside the Map fails", async () => {
    const failing = bind(async () => {
      throw new Error("no table");
    });
    await expect(
      runStateMachine(machine(), {
        input: {},
        tasks: { Plan: failing, RescoreSlice: failing, Finish: failing },
        retryIntervalMs: 0,
      }),
    ).rejects.toThrow(/no table/);
  });
});

describe("bindStateMachineTasks", () => {
  /** A rescore function as the template declares it: its entry, and the export its Handler names. */
  const rescoreFn = (
    name: string,
    handler: string,
    entry: string | undefined = "functions/rescore/handler.ts",
  ) => ({
    logicalId: name,
    name,
    arn: `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
    environment: { MODEL_ENDPOINTS: '{"purchase_30d":"tailor-purchase-30d"}' },
    memorySize: 128,
    timeoutSeconds: 60,
    entry,
    handler,
  });
  const perState = {
    Plan: "tailor-rescore-plan",
    RescoreSlice: "tailor-rescore-slice",
    Finish: "tailor-rescore-finish",
  };
  const env = {
    PROFILES_TABLE: "tailor-profiles",
    SEGMENTS_DIR: "templates/segments",
    TIMERS_TABLE: "tailor-timers",
    SEGMENTS_TABLE: "tailor-segments",
    TRANSITIONS_QUEUE_URL: "http://127.0.0.1:1/000000000000/transitions",
    SENDS_QUEUE_URL: "http://127.0.0.1:1/000000000000/sends",
    MODEL_ENDPOINTS: '{"purchase_30d":"tailor-purchase-30d"}',
    POWERTOOLS_SERVICE_NAME: "tailor-rescore",
    POWERTOOLS_METRICS_NAMESPACE: "Tailor",
  };

  it("binds each task state to the export its function's Handler names, in the module of its entry, loaded with its environment", async () => {
    const functions = [
      rescoreFn("tailor-rescore-plan", "plan"),
      rescoreFn("tailor-rescore-slice", "slice"),
      rescoreFn("tailor-rescore-finish", "finish"),
    ];
    const before = process.env.PROFILES_TABLE;
    const tasks = await bindStateMachineTasks({ ...machine(), taskFunctions: perState }, functions, env);
    expect(Object.keys(tasks).sort()).toEqual(["Finish", "Plan", "RescoreSlice"]);
    expect(new Set(Object.values(tasks).map((t) => t.handler)).size).toBe(3);
    expect(tasks.Plan?.function).toMatchObject({ functionName: "tailor-rescore-plan", timeoutSeconds: 60 });
    expect(process.env.PROFILES_TABLE).toBe(before);
    // The Finish state runs the finish export: it refuses a run without summaries, as that export does.
    const finish = tasks.Finish;
    if (finish === undefined) throw new Error("no Finish binding");
    await expect(finish.handler({}, lambdaContext(finish.function, Date.now()))).rejects.toThrow(/summaries/);
  });

  it("refuses, naming the function, an entry outside functions/<name>/handler.ts, an export the module lacks, no entry", async () => {
    const bind = (fn: FunctionSpec) =>
      bindStateMachineTasks({ ...machine(), taskFunctions: { Plan: fn.name } }, [fn], env);
    await expect(bind(rescoreFn("tailor-elsewhere", "plan", "infra/app.ts"))).rejects.toThrow(
      "tailor-elsewhere: its entry infra/app.ts is not functions/<name>/handler.ts",
    );
    await expect(bind(rescoreFn("tailor-no-export", "rescoreEverything"))).rejects.toThrow(
      'tailor-no-export: functions/rescore/handler.ts exports no handler function "rescoreEverything"',
    );
    await expect(bind({ ...rescoreFn("tailor-no-entry", "plan"), entry: undefined })).rejects.toThrow(
      "tailor-no-entry (task state Plan) has no tailor:entry in the template",
    );
  });
});

describe("rescoreSummaryLines", () => {
  it("shows scores, tiers, drift and failed slices of the Finish report", () => {
    const lines = rescoreSummaryLines({
      profiles: 1200,
      scored: 1100,
      unscored: 50,
      tiers: { purchase_30d: { high: 100, medium: 300, low: 700 } },
      psi: { purchase_30d: { psi: 0.31, drift: true }, churn_60d: { psi: 0.02, drift: false } },
      failedSlices: [3],
      clusters: [400, 700],
      clusterModel: {
        fitted: true,
        population: 1150,
        sampled: 1000,
        labels: ["lapsed, low spend", "recent"],
      },
    }).join("\n");
    expect(lines).toContain("profiles 1,200: 1,100 scored, 50 unscored");
    expect(lines).toContain("purchase_30d tiers: high 100, medium 300, low 700");
    expect(lines).toMatch(/purchase_30d PSI 0\.310 +⚠ drift/);
    expect(lines).toMatch(/churn_60d PSI 0\.020$/m);
    expect(lines).toContain("failed slices: 3");
    expect(lines).toContain("clusters (k-means on 1,000 of 1,150 profiles)");
    expect(lines).toMatch(/^ +1 +recent: 700$/m);
    const kept = rescoreSummaryLines({
      profiles: 1,
      scored: 1,
      unscored: 0,
      clusterModel: { fitted: false, reason: "3 profiles" },
    });
    expect(kept).toContain("clusters not refitted: 3 profiles");
    expect(kept).toContain("live calibration: no prediction has reached its horizon yet");
  });

  it("shows each propensity model's live calibration gap over its window, or why there is none", () => {
    const lines = rescoreSummaryLines({
      profiles: 1,
      scored: 1,
      unscored: 0,
      liveCalibration: {
        purchase_30d: { gap: 0.175, bias: 0.175, observations: 120, used: 120, resolved: 40, runs: 3 },
        churn_60d: { observations: 12, used: 0, resolved: 12, runs: 1 },
      },
    }).join("\n");
    expect(lines).toMatch(
      /purchase_30d calibration gap 0\.175, predicted − observed \+0\.175 \(120 resolved over 3 runs, 40 tonight; 120 in bins counted\) +⚠ miscalibrated/,
    );
    expect(lines).toContain("churn_60d calibration: no bin has enough resolved predictions yet (12 resolved");
  });

  it("reads MODEL_ENDPOINTS, ignoring what is not a model → endpoint object", () => {
    expect(modelEndpointsOf('{"purchase_30d":"tailor-purchase-30d","x":1}')).toEqual({
      purchase_30d: "tailor-purchase-30d",
    });
    expect(modelEndpointsOf("not json")).toEqual({});
    expect(modelEndpointsOf(undefined)).toEqual({});
  });
});
