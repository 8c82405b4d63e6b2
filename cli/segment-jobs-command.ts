import { z } from "zod";
import { stackTemplate } from "#infra/local/stack-template.js";
import type { TaskOutcome } from "#infra/local/state-machine-runner.js";
import { runStateMachine } from "#infra/local/state-machine-runner.js";
import { bindStateMachineTasks } from "#infra/local/state-machine-tasks.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { SEGMENT_JOBS_OUTPUT } from "#infra/stack-output-names.js";
import type { SegmentJob } from "#shared/ports.js";
import { executionLines, executionName, startAwsExecution, stateMachineArnOf } from "./aws-execution.js";
import { quietFunctions } from "./cli-options.js";
import { count, duration } from "./format.js";
import { closeStack, findStateMachine, openStack } from "./local-state-machine.js";
import { ProgressLine } from "./progress-line.js";

const STATE_MACHINE = LOCAL_NAMES.segmentJobsStateMachine;

const summarySchema = z.object({
  profiles: z.number(),
  profilesWritten: z.number(),
  transitions: z.number(),
});
const reportSchema = z.union([
  z.object({ job: z.literal("recount"), profiles: z.number(), sizes: z.record(z.string(), z.number()) }),
  z.object({ job: z.enum(["rfm", "reevaluate"]), summary: summarySchema }),
  z.object({ job: z.literal("reindex"), profiles: z.number(), entries: z.number() }),
]);

/** The lines a finished run prints (any other output is shown as JSON). */
export function segmentJobLines(output: unknown, parts: number): string[] {
  const parsed = reportSchema.safeParse(output);
  if (!parsed.success) return ["segment job finished:", JSON.stringify(output, null, 2)];
  const report = parsed.data;
  switch (report.job) {
    case "recount": {
      const sizes = Object.values(report.sizes);
      const total = sizes.reduce((a, b) => a + b, 0);
      return [
        `recounted ${sizes.length} segments (${count(total)} memberships) over ${parts} parts, ${count(report.profiles)} profiles`,
      ];
    }
    case "rfm":
    case "reevaluate":
      return [
        `${report.job}: ${count(report.summary.profilesWritten)} of ${count(report.summary.profiles)} profiles changed, ` +
          `${count(report.summary.transitions)} transitions`,
      ];
    case "reindex":
      return [
        `reindexed ${count(report.profiles)} profiles: ${count(report.entries)} membership entries written`,
      ];
  }
}

/**
 * Starts the job on the deployed stack named by the outputs file, one execution per job and minute (a command
 * repeated within the minute does not start a second run).
 */
async function awsStart(
  job: SegmentJob,
  outputs: string,
  stackName: string,
  input: object,
): Promise<string[]> {
  const stateMachineArn = await stateMachineArnOf(outputs, stackName, SEGMENT_JOBS_OUTPUT);
  const minute = new Date().toISOString().slice(0, 16);
  const execution = await startAwsExecution({
    stateMachineArn,
    name: executionName("segments", job, minute),
    input,
  });
  return executionLines(`the ${job} run`, execution);
}

/**
 * `tailor segments recount|rfm|reevaluate|reindex`: runs the segment jobs' state machine of the template (Plan →
 * maps over the parts → Finish) on the running local stack of the data dir, or on one it starts, with the parts'
 * steps counted on a progress line; with `--outputs`, says how to start it on the deployed stack.
 */
export async function runSegmentJobCommand(
  job: SegmentJob,
  values: {
    readonly "data-dir"?: string | undefined;
    readonly fresh: boolean;
    readonly verbose: boolean;
    readonly parts: number;
    readonly pageSize: number | undefined;
    readonly outputs: string | undefined;
    readonly stackName: string;
  },
  portValues: Readonly<Record<string, unknown>>,
): Promise<number> {
  const input = {
    job,
    parts: values.parts,
    ...(values.pageSize === undefined ? {} : { pageSize: values.pageSize }),
  };
  if (values.outputs !== undefined) {
    process.stdout.write(`${(await awsStart(job, values.outputs, values.stackName, input)).join("\n")}\n`);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const template = await stackTemplate();
  const target = await openStack({ ...values, models: false }, portValues, template, log);
  try {
    const progress = new ProgressLine();
    const started = performance.now();
    let steps = 0;
    let failed = 0;
    const show = () =>
      `${job}: ${steps} steps over ${values.parts} parts${failed > 0 ? ` (${failed} retried)` : ""}`;
    const onTask = (outcome: TaskOutcome) => {
      if (!outcome.state.endsWith("Step")) return;
      if (outcome.ok) steps++;
      else failed++;
      progress.update(show());
    };
    let output: unknown;
    if (target.kind === "own") {
      output = await target.stack.startExecution(STATE_MACHINE, input, { onTask });
    } else {
      const spec = findStateMachine(template, target.plan, STATE_MACHINE);
      const tasks = await bindStateMachineTasks(
        spec,
        target.plan.functions,
        quietFunctions(values.verbose, "WARN"),
      );
      output = await runStateMachine(spec, { input, tasks, onTask });
    }
    progress.done(`${show()} in ${duration(performance.now() - started)}`);
    process.stdout.write(`${segmentJobLines(output, values.parts).join("\n")}\n`);
    return 0;
  } finally {
    await closeStack(target);
  }
}
