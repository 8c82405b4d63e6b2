import { parseArgs } from "node:util";
import { z } from "zod";
import { LocalStackError } from "#infra/local/local-errors.js";
import { modelEndpointsOf, startLocalModels } from "#infra/local/model-server-runner.js";
import type { ResourcePlan } from "#infra/local/resource-plan.js";
import { stackTemplate } from "#infra/local/stack-template.js";
import { runStateMachine, type TaskOutcome } from "#infra/local/state-machine-runner.js";
import { bindStateMachineTasks } from "#infra/local/state-machine-tasks.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { intFlag, quietFunctions, stackOptions, stringFlag } from "./cli-options.js";
import { count, duration } from "./format.js";
import { liveCalibrationLines } from "./live-calibration-view.js";
import { closeStack, findStateMachine, openStack } from "./local-state-machine.js";
import { bar, ProgressLine } from "./progress-line.js";

const STATE_MACHINE = LOCAL_NAMES.rescoreStateMachine;

const reportSchema = z.looseObject({
  profiles: z.number(),
  scored: z.number(),
  unscored: z.number(),
  skippedNoConsent: z.number().optional(),
  transitions: z.number().optional(),
  tiers: z.record(z.string(), z.record(z.string(), z.number())).optional(),
  psi: z.record(z.string(), z.object({ psi: z.number(), drift: z.boolean() })).optional(),
  liveCalibration: z
    .record(
      z.string(),
      z.object({
        gap: z.number().optional(),
        bias: z.number().optional(),
        observations: z.number(),
        used: z.number(),
        resolved: z.number(),
        runs: z.number(),
      }),
    )
    .optional(),
  failedSlices: z.array(z.number()).optional(),
  errors: z.array(z.string()).optional(),
  clusters: z.array(z.number()).optional(),
  clusterModel: z
    .union([
      z.object({
        fitted: z.literal(true),
        population: z.number(),
        sampled: z.number(),
        labels: z.array(z.string()),
      }),
      z.object({ fitted: z.literal(false), reason: z.string() }),
    ])
    .optional(),
});

/** The lines `tailor rescore` prints for the `Finish` state's report (any other output is shown as JSON). */
export function rescoreSummaryLines(output: unknown): string[] {
  const parsed = reportSchema.safeParse(output);
  if (!parsed.success) return ["rescoring finished:", JSON.stringify(output, null, 2)];
  const report = parsed.data;
  const lines = [
    `profiles ${count(report.profiles)}: ${count(report.scored)} scored, ${count(report.unscored)} unscored` +
      (report.skippedNoConsent === undefined ? "" : `, ${count(report.skippedNoConsent)} without consent`) +
      (report.transitions === undefined ? "" : `; ${count(report.transitions)} segment transitions`),
  ];
  for (const [model, tiers] of Object.entries(report.tiers ?? {})) {
    const parts = Object.entries(tiers).map(([tier, n]) => `${tier} ${count(n)}`);
    lines.push(`  ${model} tiers: ${parts.join(", ")}`);
  }
  const psi = Object.entries(report.psi ?? {});
  if (psi.length === 0) lines.push("drift: no previous run to compare with");
  for (const [model, stability] of psi) {
    lines.push(`  ${model} PSI ${stability.psi.toFixed(3)}${stability.drift ? "  ⚠ drift" : ""}`);
  }
  lines.push(...liveCalibrationLines(report.liveCalibration ?? {}));
  const clusterModel = report.clusterModel;
  if (clusterModel?.fitted === true) {
    lines.push(
      `clusters (k-means on ${count(clusterModel.sampled)} of ${count(clusterModel.population)} profiles), customers assigned:`,
    );
    clusterModel.labels.forEach((label, index) => {
      lines.push(`  ${index}  ${label}: ${count(report.clusters?.[index] ?? 0)}`);
    });
  } else if (clusterModel?.fitted === false) lines.push(`clusters not refitted: ${clusterModel.reason}`);
  const failed = report.failedSlices ?? [];
  lines.push(failed.length === 0 ? "failed slices: none" : `failed slices: ${failed.join(", ")}`);
  for (const error of report.errors ?? []) lines.push(`  error: ${error}`);
  return lines;
}

/**
 * Runs the rescoring on the running stack of another process: this process serves the models itself and binds
 * the task states to the handlers loaded here, pointed at that stack's emulators.
 */
async function runOnRunningStack(
  plan: ResourcePlan,
  template: unknown,
  options: {
    readonly models: string | undefined;
    readonly verbose: boolean;
    readonly log: (line: string) => void;
    readonly input: unknown;
    /** Called once the models are served, before the execution starts. */
    readonly begin: () => void;
    readonly onTask: (outcome: TaskOutcome) => void;
  },
): Promise<unknown> {
  const spec = findStateMachine(template, plan, STATE_MACHINE);
  // Every task function's models (the slice function is the one that scores).
  const taskFunctions = new Set(Object.values(spec.taskFunctions));
  const endpoints: Record<string, string> = {};
  for (const fn of plan.functions) {
    if (taskFunctions.has(fn.name))
      Object.assign(endpoints, modelEndpointsOf(fn.environment.MODEL_ENDPOINTS));
  }
  const models = await startLocalModels({ dir: options.models, endpoints, log: options.log });
  try {
    const tasks = await bindStateMachineTasks(spec, plan.functions, {
      ...models.env,
      ...quietFunctions(options.verbose, "WARN"),
    });
    options.begin();
    return await runStateMachine(spec, { input: options.input, tasks, onTask: options.onTask });
  } finally {
    await models.stop();
  }
}

/**
 * `tailor rescore [--slices 8] [--models .tailor/models]`: runs the nightly rescoring state machine of the
 * template now, on the running local stack of the data dir or on one it starts: a model server stands in for
 * the SageMaker endpoints (the models are trained first when the folder has none), the `Slices` map runs the
 * slices in parallel with a progress bar, and the run's summary is printed (scores, tiers, drift, failures).
 * On a stack it starts, the stack serves the models and runs the execution (`stack.startExecution`).
 */
export async function rescoreCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: { ...stackOptions, slices: { type: "string" }, models: { type: "string" } },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) {
    throw new LocalStackError(
      "usage: tailor rescore [--slices N] [--models folder] [--data-dir D] [--fresh]",
    );
  }
  const slices = intFlag(values.slices, "slices", 8, 1);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const template = await stackTemplate();
  const models = stringFlag(values.models);
  const target = await openStack(
    {
      "data-dir": stringFlag(values["data-dir"]),
      fresh: values.fresh,
      verbose: values.verbose,
      models: { dir: models },
    },
    values,
    template,
    log,
  );
  try {
    const progress = new ProgressLine();
    const started = performance.now();
    let done = 0;
    let failedAttempts = 0;
    const show = (finished: boolean) =>
      `${bar(done, slices, finished)} ${done}/${slices} slices rescored` +
      (failedAttempts > 0 ? ` (${failedAttempts} failed attempts)` : "");
    const onTask = (outcome: TaskOutcome) => {
      if (outcome.state !== "RescoreSlice") return;
      if (outcome.ok) done += 1;
      else failedAttempts += 1;
      progress.update(show(false));
    };
    const input = { totalSegments: slices };
    const begin = () => progress.update(show(false));
    let output: unknown;
    if (target.kind === "own") {
      if (!target.stack.names.stateMachines.includes(STATE_MACHINE)) {
        throw new LocalStackError(`the template has no state machine tagged ${STATE_MACHINE}`);
      }
      begin();
      output = await target.stack.startExecution(STATE_MACHINE, input, { onTask });
    } else {
      output = await runOnRunningStack(target.plan, template, {
        models,
        verbose: values.verbose,
        log,
        input,
        begin,
        onTask,
      });
    }
    progress.done(`${show(true)} in ${duration(performance.now() - started)}`);
    process.stdout.write(`${rescoreSummaryLines(output).join("\n")}\n`);
    return 0;
  } finally {
    await closeStack(target);
  }
}
