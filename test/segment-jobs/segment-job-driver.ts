import {
  computeJobThresholds,
  finishSegmentJob,
  type JobReport,
  type JobRunDeps,
  planSegmentJob,
} from "#shared/app/segment-jobs/job-run.js";
import {
  JOB_PHASES_OF,
  type JobStepDeps,
  type JobStepInput,
  type JobStepOutput,
  runJobStep,
} from "#shared/app/segment-jobs/job-step.js";

/** What the driver did: the steps run per phase. */
export interface DriverTrace {
  readonly steps: JobStepOutput[];
}

/**
 * Runs a job as the state machine does (Plan → for each phase a map over the parts, each looping its step until
 * done → Thresholds between the rfm phases → Finish), in this process; `onStep` may retry a step.
 */
export async function driveSegmentJob(
  deps: JobStepDeps & JobRunDeps,
  input: { job: "recount" | "rfm" | "reevaluate" | "reindex"; parts: number; pageSize: number },
  now: number,
  onStep: (input: JobStepInput, output: JobStepOutput) => Promise<void> = async () => {},
): Promise<{ report: JobReport; trace: DriverTrace }> {
  const plan = planSegmentJob(input, now, `run-${input.job}`);
  const steps: JobStepOutput[] = [];
  for (const phase of JOB_PHASES_OF[plan.job]) {
    await Promise.all(
      plan.items.map(async ({ part }) => {
        let step: JobStepInput = {
          runId: plan.runId,
          job: plan.job,
          phase,
          startedAt: plan.startedAt,
          part,
          parts: plan.parts,
          pageSize: plan.pageSize,
          seq: 0,
        };
        for (;;) {
          const out = await runJobStep(deps, step, () => false);
          steps.push(out);
          await onStep(step, out);
          if (out.done) break;
          const { done: _done, ...next } = out;
          step = next;
        }
      }),
    );
    if (phase === "samples") await computeJobThresholds(deps, plan);
  }
  return { report: await finishSegmentJob(deps, plan), trace: { steps } };
}
