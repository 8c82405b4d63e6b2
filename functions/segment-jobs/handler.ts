import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";
import { z } from "zod";
import {
  computeJobThresholds,
  finishSegmentJob,
  type JobPlan,
  type JobReport,
  planSegmentJob,
} from "#shared/app/segment-jobs/job-run.js";
import { type JobStepInput, type JobStepOutput, runJobStep } from "#shared/app/segment-jobs/job-step.js";
import type { RfmThresholds } from "#shared/domain/segments/contracts.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, observabilityFor } from "#shared/lambda/middleware.js";
import { addCounts } from "#shared/lambda/reports/counts.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import { segmentJobsEnvSchema } from "./env.js";
import { makeRunDeps, makeStepDeps } from "./make-deps.js";

const env = loadEnv(segmentJobsEnvSchema);
const observability = observabilityFor(env);
const [stepDeps, runDeps] = [makeStepDeps(env), makeRunDeps(env)];

/** What a step leaves of its invocation for the state machine: a minute, for the write and the response. */
const MARGIN_MS = 60_000;

/** Plans a run: its id, start time, parts and the phase of the work map. */
export async function runPlan(input: unknown, _context: Context): Promise<JobPlan> {
  const now = runtimeClock.now();
  const plan = planSegmentJob(input, now, `${new Date(now).toISOString()}-${randomUUID().slice(0, 8)}`);
  addCounts(observability.metrics, { SegmentJobsPlanned: 1 });
  observability.logger.info("segment job planned", { runId: plan.runId, job: plan.job, parts: plan.parts });
  return plan;
}

/** One step of one part: pages read until the time budget is spent, the part's state written by part id. */
export async function runStep(input: JobStepInput, context: Context): Promise<JobStepOutput> {
  const deadline = Date.now() + env.STEP_SECONDS * 1000;
  const hasTime = () => Date.now() < deadline && context.getRemainingTimeInMillis() > MARGIN_MS;
  const output = await runJobStep(stepDeps, input, hasTime);
  addCounts(observability.metrics, { SegmentJobSteps: 1, SegmentJobPartsDone: output.done ? 1 : 0 });
  observability.logger.info("segment job step", { ...output });
  return output;
}

const finishInputSchema = z.object({ stage: z.enum(["thresholds", "finish"]) }).loose();

/** `thresholds` (between the RFM phases) or `finish` (the run's totals; a recount's exact sizes). */
export async function runFinish(input: unknown, _context: Context): Promise<JobReport | RfmThresholds> {
  const { stage } = finishInputSchema.parse(input);
  addCounts(observability.metrics, {
    [stage === "thresholds" ? "RfmThresholdsComputed" : "SegmentJobsFinished"]: 1,
  });
  if (stage === "thresholds") return computeJobThresholds(runDeps, input, env.RFM_MONETARY_BASIS);
  const report = await finishSegmentJob(runDeps, input);
  observability.logger.info("segment job finished", { report });
  return report;
}

const bundle = <I, O>() => baseMiddlewareBundle<I, O>(observability);
export const plan = bundle<unknown, JobPlan>().handler(runPlan);
export const step = bundle<JobStepInput, JobStepOutput>().handler(runStep);
export const finish = bundle<unknown, JobReport | RfmThresholds>().handler(runFinish);
