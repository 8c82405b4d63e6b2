import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { FeatureDrift } from "#shared/app/rescoring/feature-drift.js";
import type { RescoreRunReport } from "#shared/app/rescoring/finish-run.js";
import type { ClusterRunReport } from "#shared/app/rescoring/fit-run-clusters.js";
import type { RescoreSummary } from "#shared/app/rescoring/index.js";
import type { RescorePlan } from "#shared/app/rescoring/plan-run.js";
import type { Observability } from "../middleware.js";
import { addCounts } from "./counts.js";

/** The metric and the log line of a planned run. */
export function reportPlan({ metrics, logger }: Observability, plan: RescorePlan): void {
  addCounts(metrics, { RescoreSlicesPlanned: plan.slices.length });
  logger.info("rescoring planned", {
    startedAt: plan.startedAt,
    slices: plan.slices.length,
    ...(plan.tableItems === undefined ? {} : { tableItems: plan.tableItems }),
  });
}

/** The metric and the log line of the clusters step: fitted, or the previous model kept (a warning). */
export function reportClusters({ metrics, logger }: Observability, report: ClusterRunReport): void {
  addCounts(metrics, { ClustersFitted: report.fitted ? report.labels.length : 0 });
  if (report.fitted) {
    logger.info("clusters fitted", { report });
  } else logger.warn("clusters not fitted: the previous ones are kept", { report });
}

/** The metrics and the log line of one rescored slice (a warning when some profiles went unscored). */
export function reportSlice(
  { metrics, logger }: Observability,
  summary: RescoreSummary,
  slice: { readonly startedAt: number; readonly segment: number; readonly totalSegments: number },
): void {
  addCounts(metrics, {
    ProfilesRescored: summary.scored,
    ProfilesUnscored: summary.unscored,
    SegmentTransitions: summary.transitions,
  });
  const context = { ...slice, summary };
  if (summary.unscored > 0) logger.warn("slice rescored with unscored profiles", context);
  else logger.info("slice rescored", context);
}

/**
 * Publishes the model inputs' drift: `FeatureDriftMax` (the largest PSI, what the data-quality alarm watches;
 * only when some feature could be compared) and `FeatureDrift` per feature with a `feature` dimension (bounded:
 * the model's input names), each as a single metric.
 */
export function emitFeatureDrift(metrics: Metrics, drift: FeatureDrift): void {
  const compared = Object.entries(drift.features);
  if (compared.length === 0) return;
  metrics.singleMetric().addMetric("FeatureDriftMax", MetricUnit.NoUnit, drift.max);
  for (const [feature, { psi }] of compared) {
    metrics.singleMetric().addDimension("feature", feature).addMetric("FeatureDrift", MetricUnit.NoUnit, psi);
  }
}

/**
 * Publishes each propensity model's live calibration: `CalibrationGap` (the expected calibration error over the
 * window's bins with enough resolved predictions) with a `model` dimension, only for a model whose window has such
 * a bin (none: no data point, which the alarm reads as not breaching).
 */
export function emitLiveCalibration(
  metrics: Metrics,
  calibration: RescoreRunReport["liveCalibration"],
): void {
  for (const [model, { gap }] of Object.entries(calibration)) {
    if (gap === undefined) continue;
    metrics.singleMetric().addDimension("model", model).addMetric("CalibrationGap", MetricUnit.NoUnit, gap);
  }
}

/**
 * The metrics and the log line of a finished run: its counts, each model's drift (`ScoreDrift`, one metric per
 * model with a `model` dimension) and live calibration (`CalibrationGap`, {@link emitLiveCalibration}), and a warning when a slice failed, a profile went unscored, the RFM thresholds
 * could not be computed or a model drifted.
 */
export function reportFinish({ metrics, logger }: Observability, report: RescoreRunReport): void {
  addCounts(metrics, {
    RescoreProfiles: report.profiles,
    RescoreScored: report.scored,
    RescoreUnscored: report.unscored,
    RescoreSlicesFailed: report.failedSlices.length,
  });
  for (const [model, { psi }] of Object.entries(report.psi)) {
    metrics.singleMetric().addDimension("model", model).addMetric("ScoreDrift", MetricUnit.NoUnit, psi);
  }
  emitFeatureDrift(metrics, report.featureDrift);
  emitLiveCalibration(metrics, report.liveCalibration);
  const drifted = Object.entries(report.psi).filter(([, stability]) => stability.drift);
  const troubled =
    report.failedSlices.length > 0 ||
    report.unscored > 0 ||
    drifted.length > 0 ||
    report.featureDrift.drifted.length > 0;
  if (troubled) {
    logger.warn("rescoring finished with problems", {
      report,
      drifted: drifted.map(([m]) => m),
      featuresDrifted: report.featureDrift.drifted,
    });
  } else logger.info("rescoring finished", { report });
}
