import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { z } from "zod";
import {
  clusterRunSchema,
  finishRescoreRun,
  type RescoreRunReport,
  sliceResultSchema,
} from "../../shared/app/rescoring/finish-run.js";
import { type ClusterRunReport, fitRunClusters } from "../../shared/app/rescoring/fit-run-clusters.js";
import { type RescoreSummary, rescoreSlice } from "../../shared/app/rescoring/index.js";
import { planRescoreRun, type RescorePlan } from "../../shared/app/rescoring/plan-run.js";
import { MAX_CLUSTERS } from "../../shared/domain/clusters/index.js";
import { loadEnv } from "../../shared/lambda/env.js";
import { baseMiddlewareBundle, createObservability } from "../../shared/lambda/middleware.js";
import { runtimeClock } from "../../shared/lambda/runtime-clock.js";
import { rescoreEnvSchema } from "./env.js";
import { makeClusterDeps, makeFinishDeps, makeRescoreDeps } from "./make-deps.js";

const env = loadEnv(rescoreEnvSchema);
const observability = createObservability({
  serviceName: env.POWERTOOLS_SERVICE_NAME,
  namespace: env.POWERTOOLS_METRICS_NAMESPACE,
});
const models = Object.keys(env.MODEL_ENDPOINTS);
const sliceDeps = makeRescoreDeps(env);
const finishDeps = makeFinishDeps(env);
const clusterDeps = makeClusterDeps(env);

const planInput = z.object({ totalSegments: z.number().int().min(1).max(1000).optional() });
const sliceInput = z.object({
  startedAt: z.number(),
  segment: z.number().int().nonnegative(),
  totalSegments: z.number().int().min(1),
});
const clusterInput = z.object({
  totalSegments: z.number().int().min(1).max(1000),
  clusters: z.number().int().min(1).max(MAX_CLUSTERS).optional(),
});
const finishInput = z.object({
  startedAt: z.number(),
  summaries: z.array(sliceResultSchema),
  clusters: clusterRunSchema.optional(),
});

/** The state machine's input of `Plan`. */
export type PlanInput = z.input<typeof planInput>;
/** The state machine's input of one `RescoreSlice`. */
export type SliceInput = z.input<typeof sliceInput>;
/** The state machine's input of `Clusters`. */
export type ClusterInput = z.input<typeof clusterInput>;
/** The state machine's input of `Finish`. */
export type FinishInput = z.input<typeof finishInput>;

/** Plans a run: its start time and the slices the `Slices` map rescores in parallel. */
export async function runPlan(input: PlanInput | undefined, _context: Context): Promise<RescorePlan> {
  const { totalSegments } = planInput.parse(input ?? {});
  const plan = planRescoreRun(runtimeClock.now(), totalSegments);
  observability.metrics.addMetric("RescoreSlicesPlanned", MetricUnit.Count, plan.slices.length);
  observability.logger.info("rescoring planned", { startedAt: plan.startedAt, slices: plan.slices.length });
  return plan;
}

/** Fits the run's customer clusters (k-means over RFM and engagement) before the slices assign them. */
export async function runClusters(input: ClusterInput, _context: Context): Promise<ClusterRunReport> {
  const { totalSegments, clusters } = clusterInput.parse(input);
  const report = await fitRunClusters(clusterDeps, { totalSegments, k: clusters ?? env.CLUSTER_COUNT });
  const { metrics, logger } = observability;
  if (report.fitted) {
    metrics.addMetric("ClustersFitted", MetricUnit.Count, report.labels.length);
    logger.info("clusters fitted", { report });
  } else logger.warn("clusters not fitted: the previous ones are kept", { report });
  return report;
}

/** Rescores one slice with every model of `MODEL_ENDPOINTS`; the summary goes back to the state machine. */
export async function runSlice(input: SliceInput, _context: Context): Promise<RescoreSummary> {
  const { startedAt, segment, totalSegments } = sliceInput.parse(input);
  const summary = await rescoreSlice(sliceDeps, { segment, totalSegments }, { models });
  const { metrics, logger } = observability;
  metrics.addMetric("ProfilesRescored", MetricUnit.Count, summary.scored);
  metrics.addMetric("ProfilesUnscored", MetricUnit.Count, summary.unscored);
  metrics.addMetric("SegmentTransitions", MetricUnit.Count, summary.transitions);
  const context = { startedAt, segment, totalSegments, summary };
  if (summary.unscored > 0) logger.warn("slice rescored with unscored profiles", context);
  else logger.info("slice rescored", context);
  return summary;
}

/** Finishes a run: sums the slices, recomputes the RFM thresholds, reports each model's drift (PSI). */
export async function runFinish(input: FinishInput, _context: Context): Promise<RescoreRunReport> {
  const parsed = finishInput.parse(input);
  const report = await finishRescoreRun(finishDeps, parsed, {
    totalSegments: Math.max(1, parsed.summaries.length),
  });
  const { metrics, logger } = observability;
  metrics.addMetric("RescoreProfiles", MetricUnit.Count, report.profiles);
  metrics.addMetric("RescoreScored", MetricUnit.Count, report.scored);
  metrics.addMetric("RescoreUnscored", MetricUnit.Count, report.unscored);
  metrics.addMetric("RescoreSlicesFailed", MetricUnit.Count, report.failedSlices.length);
  for (const [model, { psi }] of Object.entries(report.psi)) {
    const single = metrics.singleMetric();
    single.addDimension("model", model);
    single.addMetric("ScoreDrift", MetricUnit.NoUnit, psi);
  }
  const drifted = Object.entries(report.psi).filter(([, stability]) => stability.drift);
  const troubled =
    report.failedSlices.length > 0 || report.unscored > 0 || !report.rfmThresholds || drifted.length > 0;
  if (troubled) logger.warn("rescoring finished with problems", { report, drifted: drifted.map(([m]) => m) });
  else logger.info("rescoring finished", { report });
  return report;
}

export const plan = baseMiddlewareBundle<PlanInput | undefined, RescorePlan>(observability).handler(runPlan);
export const cluster = baseMiddlewareBundle<ClusterInput, ClusterRunReport>(observability).handler(
  runClusters,
);
export const slice = baseMiddlewareBundle<SliceInput, RescoreSummary>(observability).handler(runSlice);
export const finish = baseMiddlewareBundle<FinishInput, RescoreRunReport>(observability).handler(runFinish);
