import { z } from "zod";
import type { Clock } from "#shared/ports.js";
import {
  type CalibrationWindow,
  type ModelCalibration,
  nextCalibrationWindows,
} from "./calibration-window.js";
import { type FeatureDrift, featureDrift } from "./feature-drift.js";
import type { ClusterRunReport } from "./fit-run-clusters.js";
import { histogramStability, type PopulationStability } from "./population-stability.js";
import { type RescoreSummary, sumRescoreSummaries } from "./rescore-slice.js";

/** A slice the state machine gave up on (its retries exhausted): none of its profiles were rescored. */
export interface FailedSlice {
  readonly failed: true;
  readonly segment: number;
}

/**
 * A slice whose summary was kept in the segments table ({@link RescoreSliceSummaries}): what the state machine
 * carries for it is this reference. A summary holds every model input's histogram (a few kilobytes), so a
 * thousand of them in the state would outgrow Step Functions' 256 KB; a thousand references do not.
 */
export interface StoredSlice {
  readonly stored: true;
  readonly segment: number;
  readonly profiles: number;
  readonly scored: number;
}

/** What the state machine collected for one slice: its summary, a reference to it, or its failure. */
export type SliceResult = RescoreSummary | FailedSlice | StoredSlice;

/** Where each slice of a run keeps its summary for the run's `Finish` (the segments table, expiring). */
export interface RescoreSliceSummaries {
  /** Keeps (or replaces: a retried slice writes it again) the summary of slice `segment` of the run started at `run`. */
  put(run: number, segment: number, summary: RescoreSummary): Promise<void>;
  /** The summaries kept for the run started at `run`, by segment. */
  all(run: number): Promise<ReadonlyMap<number, RescoreSummary>>;
}

const counts = z.array(z.number().int().nonnegative());
const tierCounts = z.object({
  high: z.number().int().nonnegative(),
  medium: z.number().int().nonnegative(),
  low: z.number().int().nonnegative(),
});
const count = z.number().int().nonnegative();

/** A slice's summary as JSON. */
export const rescoreSummarySchema = z.object({
  profiles: count,
  skippedNoConsent: count,
  scored: count,
  unscored: count,
  clustered: count,
  clusters: counts,
  profilesWritten: count,
  transitions: count,
  transitionsPublished: count,
  timerWrites: count,
  counterWrites: count,
  conflicts: count,
  histograms: z.record(z.string(), counts),
  /** Absent from a slice of an older version: no feature drift for that run. */
  features: z.record(z.string(), counts).default({}),
  tiers: z.record(z.string(), tierCounts),
  /** Absent from a slice of an older version: nothing resolved by it. */
  calibration: z
    .record(z.string(), z.object({ n: counts, p: z.array(z.number().nonnegative()), y: counts }))
    .default({}),
  errors: z.array(z.string()),
});

/** A slice's result as JSON from the state machine: a summary, a reference to a kept one, or a failed slice. */
export const sliceResultSchema = z.union([
  z.object({ failed: z.literal(true), segment: z.number().int().nonnegative() }),
  z.object({
    stored: z.literal(true),
    segment: z.number().int().nonnegative(),
    profiles: count,
    scored: count,
  }),
  rescoreSummarySchema,
]);

/** What the state machine's `Clusters` state did: a report, or the error it caught (the old clusters stay). */
export const clusterRunSchema = z.union([
  z.object({
    fitted: z.literal(true),
    population: count,
    sampled: count,
    labels: z.array(z.string()),
    sizes: counts,
    inertia: z.number().nonnegative(),
  }),
  z.object({ fitted: z.literal(false), population: count, reason: z.string() }),
  z.object({ Error: z.string(), Cause: z.string().optional() }),
]);

/** The score distributions of the last finished run, the baseline of the next one's drift. */
export interface RescoreRun {
  readonly startedAt: number;
  readonly finishedAt: number;
  /** Per model: counts of scores in equal-width bins of [0, 1]. */
  readonly histograms: Record<string, number[]>;
  /** Per model input: counts of the scored sample's values in `featureBin`'s bins. @default - none kept */
  readonly features?: Record<string, number[]>;
  /** Per propensity model: the resolved predictions of the runs of the live-calibration window. @default - none */
  readonly calibration?: Record<string, CalibrationWindow>;
}

/** Where the last run's distributions are kept (the segments table, `pk = rescore`, `sk = last`). */
export interface RescoreRunStore {
  lastRun(): Promise<RescoreRun | undefined>;
  putLastRun(run: RescoreRun): Promise<void>;
}

/** What finishing a run needs. */
export interface FinishRunDeps {
  readonly runs: RescoreRunStore;
  /** Where the slices kept their summaries (needed when the state machine hands references). */
  readonly slices?: RescoreSliceSummaries;
  readonly clock: Clock;
}

/**
 * What a whole run did: the slices' sums and the drift of each model's scores. (The RFM thresholds are the
 * segment jobs' `rfm` run's, started after each successful run: never a scan of the table in this one function.)
 */
export interface RescoreRunReport extends RescoreSummary {
  readonly startedAt: number;
  /** Slices the state machine gave up on: their customers keep their previous scores. */
  readonly failedSlices: number[];
  /** Per model scored in this run and in the previous one: the PSI between their distributions. */
  readonly psi: Record<string, PopulationStability>;
  /** Per model input in this run's sample and the previous one's: the PSI between their distributions. */
  readonly featureDrift: FeatureDrift;
  /** The clusters fitted before the slices (their labels and sample sizes), or why the previous ones stayed. */
  readonly clusterModel: ClusterRunReport | undefined;
  /** Per propensity model with resolved predictions in the window: its live calibration (`CalibrationGap`). */
  readonly liveCalibration: Record<string, ModelCalibration>;
}

const isFailed = (result: SliceResult): result is FailedSlice => "failed" in result && result.failed;
const isStored = (result: SliceResult): result is StoredSlice => "stored" in result && result.stored;
const total = (histogram: readonly number[]) => histogram.reduce((sum, n) => sum + n, 0);

/**
 * Finishes a rescoring run: sums the slices' summaries (a failed slice is counted and reported, never read as
 * zero scores), compares each model's distribution with the previous run's (PSI) and stores this run's as the next baseline. A model with no score in this run
 * keeps its previous baseline, so one bad night does not erase it.
 */
export async function finishRescoreRun(
  deps: FinishRunDeps,
  input: {
    readonly startedAt: number;
    readonly summaries: readonly SliceResult[];
    readonly clusters?: z.infer<typeof clusterRunSchema>;
  },
): Promise<RescoreRunReport> {
  const references = input.summaries.filter(isStored);
  const kept =
    references.length === 0 || deps.slices === undefined
      ? new Map<number, RescoreSummary>()
      : await deps.slices.all(input.startedAt);
  // A reference whose summary is not found counts as a failed slice: never read as zero scores.
  const lost = references.filter((slice) => !kept.has(slice.segment)).map((slice) => slice.segment);
  const failedSlices = [...input.summaries.filter(isFailed).map((slice) => slice.segment), ...lost];
  const summary = sumRescoreSummaries([
    ...input.summaries.filter((result): result is RescoreSummary => !isFailed(result) && !isStored(result)),
    ...references.flatMap((slice) => kept.get(slice.segment) ?? []),
  ]);
  const now = deps.clock.now();
  const errors = [...summary.errors];
  if (lost.length > 0)
    errors.push(`slices ${lost.join(", ")}: their summaries were not found, counted as failed`);
  const previous = await deps.runs.lastRun();
  const psi: Record<string, PopulationStability> = {};
  const baseline: Record<string, number[]> = { ...previous?.histograms };
  for (const [model, histogram] of Object.entries(summary.histograms)) {
    if (total(histogram) === 0) continue;
    const before = previous?.histograms[model];
    if (before !== undefined && total(before) > 0) psi[model] = histogramStability(before, histogram);
    baseline[model] = histogram;
  }
  const drift = featureDrift(previous?.features, summary.features);
  // A run that read no features (every slice failed) keeps the previous baseline.
  const sampled = Object.values(summary.features).some((histogram) => histogram.some((n) => n > 0));
  const features = sampled ? summary.features : previous?.features;
  const calibration = nextCalibrationWindows(previous?.calibration, summary.calibration, input.startedAt);
  await deps.runs.putLastRun({
    startedAt: input.startedAt,
    finishedAt: now,
    histograms: baseline,
    ...(features === undefined ? {} : { features }),
    ...(Object.keys(calibration.windows).length === 0 ? {} : { calibration: calibration.windows }),
  });
  let clusterModel: ClusterRunReport | undefined;
  const clusters = input.clusters;
  if (clusters !== undefined && "fitted" in clusters) clusterModel = clusters;
  else if (clusters !== undefined) {
    errors.push(`clusters: ${clusters.Cause ?? clusters.Error}`);
    clusterModel = { fitted: false, population: 0, reason: clusters.Error };
  }
  return {
    ...summary,
    errors,
    startedAt: input.startedAt,
    failedSlices,
    psi,
    featureDrift: drift,
    clusterModel,
    liveCalibration: calibration.models,
  };
}
