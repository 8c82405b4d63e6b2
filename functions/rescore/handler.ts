import type { Context } from "aws-lambda";
import {
  finishRescoreRun,
  type RescoreRunReport,
  type StoredSlice,
} from "#shared/app/rescoring/finish-run.js";
import { type ClusterRunReport, fitRunClusters } from "#shared/app/rescoring/fit-run-clusters.js";
import { rescoreSlice } from "#shared/app/rescoring/index.js";
import { planRescoreRun, type RescorePlan } from "#shared/app/rescoring/plan-run.js";
import * as inputs from "#shared/app/rescoring/run-inputs.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, observabilityFor } from "#shared/lambda/middleware.js";
import * as reports from "#shared/lambda/reports/rescore-report.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import { rescoreEnvSchema } from "./env.js";
import {
  makeClusterDeps,
  makeFinishDeps,
  makePlanDeps,
  makeRescoreDeps,
  makeSliceSummaries,
} from "./make-deps.js";

const env = loadEnv(rescoreEnvSchema);
const observability = observabilityFor(env);
const models = Object.keys(env.MODEL_ENDPOINTS);
const [planDeps, sliceDeps, finishDeps, clusterDeps, sliceSummaries] = [
  makePlanDeps(env),
  makeRescoreDeps(env),
  makeFinishDeps(env),
  makeClusterDeps(env),
  makeSliceSummaries(env),
];

/**
 * Plans a run: its start time and the slices the `Slices` map rescores in parallel, as many as the input says or
 * sized from the profile table's item count.
 */
export async function runPlan(input: inputs.PlanInput | undefined, _context: Context): Promise<RescorePlan> {
  const { totalSegments } = inputs.planInputSchema.parse(input ?? {});
  const plan = planRescoreRun(
    runtimeClock.now(),
    totalSegments === undefined
      ? { tableItems: await planDeps.profiles.approximateCount() }
      : { totalSegments },
  );
  reports.reportPlan(observability, plan);
  return plan;
}

/** Fits the run's customer clusters (k-means over RFM and engagement) before the slices assign them. */
export async function runClusters(input: inputs.ClusterInput, _context: Context): Promise<ClusterRunReport> {
  const { totalSegments, clusters } = inputs.clusterInputSchema.parse(input);
  const report = await fitRunClusters(clusterDeps, { totalSegments, k: clusters ?? env.CLUSTER_COUNT });
  reports.reportClusters(observability, report);
  return report;
}

/**
 * Rescores one slice with every model of `MODEL_ENDPOINTS`; its summary is kept in the segments table for the
 * run's `Finish`, and a reference to it (with its counts) goes back to the state machine.
 */
export async function runSlice(input: inputs.SliceInput, _context: Context): Promise<StoredSlice> {
  const slice = inputs.sliceInputSchema.parse(input);
  const { segment, totalSegments } = slice;
  const summary = await rescoreSlice(sliceDeps, { segment, totalSegments }, { models, run: slice.startedAt });
  await sliceSummaries.put(slice.startedAt, segment, summary);
  reports.reportSlice(observability, summary, slice);
  return { stored: true, segment, profiles: summary.profiles, scored: summary.scored };
}

/** Finishes a run: sums the slices, reports each model's drift (PSI); the segment jobs' `rfm` run follows it. */
export async function runFinish(input: inputs.FinishInput, _context: Context): Promise<RescoreRunReport> {
  const parsed = inputs.finishInputSchema.parse(input);
  const report = await finishRescoreRun(finishDeps, parsed);
  reports.reportFinish(observability, report);
  return report;
}

const bundle = <I, O>() => baseMiddlewareBundle<I, O>(observability);
export const plan = bundle<inputs.PlanInput | undefined, RescorePlan>().handler(runPlan);
export const cluster = bundle<inputs.ClusterInput, ClusterRunReport>().handler(runClusters);
export const slice = bundle<inputs.SliceInput, StoredSlice>().handler(runSlice);
export const finish = bundle<inputs.FinishInput, RescoreRunReport>().handler(runFinish);
