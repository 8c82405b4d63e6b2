import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";
import { z } from "zod";
import {
  computeJobThresholds,
  finishSegmentJob,
  type JobPlan,
  type JobReport,
  planSegmentJobRun,
} from "#shared/app/segment-jobs/job-run.js";
import { type JobStepInput, type JobStepOutput, runJobStep } from "#shared/app/segment-jobs/job-step.js";
import type { RfmThresholds } from "#shared/domain/segments/contracts.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, observabilityFor } from "#shared/lambda/middleware.js";
import { addCounts } from "#shared/lambda/reports/counts.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import { segmentJobsEnvSchema } from "./env.js";
import { makeIndexStatus, makeRunDeps, makeStepDeps } from "./make-deps.js";

const env = loadEnv(segmentJobsEnvSchema);
const observability = observabilityFor(env);
const [stepDeps, runDeps, indexStatus] = [makeStepDeps(env), makeRunDeps(env), makeIndexStatus(env)];

/** What a step leaves of its invocation for the state machine: a minute, for the write and the response. */
const MARGIN_MS = 60_000;

/**
 * Plans a run: its id, start time, parts and the phase of the work map; or a skip (the nightly `reindex` of an
 * index already rebuilt).
 */
export async function runPlan(input: unknown, _context: Context): Promise<JobPlan> {
  const now = runtimeClock.now();
  const runId = `${new Date(now).toISOString()}-${randomUUID().slice(0, 8)}`;
  const plan = await planSegmentJobRun(indexStatus, input, now, runId);
  addCounts(observability.metrics, { SegmentJobsPlanned: plan.skip ? 0 : 1 });
  observability.logger.info("segment job planned", {
    runId: plan.runId,
    job: plan.job,
    parts: plan.parts,
    skip: plan.skip,
  });
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
