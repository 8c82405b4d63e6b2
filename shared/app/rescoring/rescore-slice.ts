import { assignCluster, clusterFeaturesFrom, matchesClusterFeatures } from "#shared/domain/clusters/index.js";
import { FEATURE_NAMES, profileFeatures } from "#shared/domain/features/index.js";
import {
  type CalibrationCounts,
  calibrateProfile,
  calibrationTarget,
  countPrediction,
  emptyCalibrationCounts,
  sumCalibrationCounts,
} from "#shared/domain/models/live-calibration.js";
import { mayProfile } from "#shared/domain/profile/consent.js";
import type { Profile } from "#shared/domain/profile/index.js";
import type { ClusterAssignment, ModelScore } from "#shared/domain/segments/contracts.js";
import { TailorError } from "#shared/errors.js";
import type {
  ClusterStore,
  ProfileScan,
  ScanSlice,
  Scorer,
  SizeDelta,
  StoredProfile,
} from "#shared/ports.js";
import { mapLimit } from "../map-limit.js";
import { countingSizes, resettleProfile } from "../resettle-profile.js";
import type { ResettleDeps } from "../segment-deps.js";
import { sumSummaries } from "../segments-batch.js";
import { addFeatureRows } from "./feature-drift.js";
import { scoreHistogram, sumHistograms } from "./population-stability.js";
import { tierOf } from "./tiers.js";

/** What rescoring needs: the re-evaluation dependencies, a way to read every profile, and the models. */
export interface RescoreDeps extends ResettleDeps {
  readonly scan: ProfileScan;
  readonly scorer: Scorer;
  /** The run's cluster model (fitted before the slices); without one, or with none stored, clusters are left as they are. */
  readonly clusters?: ClusterStore;
}

/** Options of {@link rescoreSlice}. */
export interface RescoreOptions {
  /** The models to score, by name (`sc[model]`). */
  readonly models: readonly string[];
  /** Profiles per page: one scorer request per model and page. @default 100 */
  readonly batchSize?: number;
  /**
   * Profile writes in flight at once within a page. One at a time, a slice waits a whole DynamoDB round trip
   * (milliseconds on AWS) per profile; the writes of a page are independent (one customer each).
   * @default 16
   */
  readonly writeConcurrency?: number;
  /** Bins of the score histograms. @default 10 */
  readonly bins?: number;
  /**
   * The run's start (the state machine's `startedAt`): it names the live-calibration resolutions this run writes,
   * so a retried slice counts each once. @default the clock's now
   */
  readonly run?: number;
}

/** Counts of a model's scores per tier. */
export interface TierCounts {
  high: number;
  medium: number;
  low: number;
}

/** What rescoring one slice did. */
export interface RescoreSummary {
  /** Profiles read. */
  profiles: number;
  /** Left untouched: the customer objected to profiling. */
  skippedNoConsent: number;
  /** Scored by every model. */
  scored: number;
  /** Not scored because the scorer was unavailable: their old scores are kept. */
  unscored: number;
  /** Assigned to a cluster of the run's model. */
  clustered: number;
  /** Per cluster index: profiles assigned to it. */
  clusters: number[];
  profilesWritten: number;
  transitions: number;
  transitionsPublished: number;
  timerWrites: number;
  counterWrites: number;
  conflicts: number;
  /** Per model: counts of the new scores in equal-width bins of [0, 1] (for `histogramStability`). */
  histograms: Record<string, number[]>;
  /** Per model input: counts of the scored sample's values in the fixed bins of `featureBin` (feature drift). */
  features: Record<string, number[]>;
  /** Per model: counts of the new scores per tier. */
  tiers: Record<string, TierCounts>;
  /**
   * Per propensity model: the predictions whose horizon passed, resolved by this run against what happened, per
   * bin (live calibration; see `calibrationStep`).
   */
  calibration: Record<string, CalibrationCounts>;
  /** Why pages went unscored (distinct messages, at most 10). */
  errors: string[];
}

const MAX_ERRORS = 10;
const DEFAULT_WRITE_CONCURRENCY = 16;

/**
 * Rescores every profile of one slice at the clock's `now`: reads the slice page by page, leaves out customers
 * who objected to profiling, computes their features, scores each page with every model and writes
 * `sc[model] = { p, t, at }` through {@link resettleProfile} (optimistic version check, segments re-evaluated,
 * transitions published, size counters moved). The features are those of the profile as scanned; a conflict
 * reloads the profile and applies the same scores, unless the customer objected in between.
 *
 * When the scorer is unavailable (a retryable error) for a page, nothing of that page is written, so its
 * customers keep their previous scores; they are counted as `unscored` and the reason is reported. A score is
 * never invented. A non-retryable error (e.g. a malformed answer) stops the run.
 */
export async function rescoreSlice(
  deps: RescoreDeps,
  slice: ScanSlice,
  options: RescoreOptions,
): Promise<RescoreSummary> {
  const now = deps.clock.now();
  const batchSize = Math.max(1, options.batchSize ?? 100);
  const writeConcurrency = Math.max(1, options.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY);
  const bins = options.bins ?? 10;
  const run = options.run ?? now;
  const summary = emptySummary(options.models, bins);
  const scores = new Map<string, number[]>(options.models.map((model) => [model, []]));

  // A model fitted on another feature layout is not used: the run's `Clusters` step fits a current one.
  const stored = (await deps.clusters?.current())?.model;
  const clusterModel = stored !== undefined && matchesClusterFeatures(stored) ? stored : undefined;
  summary.clusters = new Array<number>(clusterModel?.centroids.length ?? 0).fill(0);

  const rescorePage = async (page: readonly StoredProfile[], deltas: SizeDelta[]) => {
    const features = page.map(({ profile }) => profileFeatures(profile, now));
    const rows = features.map((f) => f.values);
    addFeatureRows(summary.features, FEATURE_NAMES, rows);
    const byModel = new Map<string, number[]>();
    for (const model of options.models) {
      try {
        const predicted = await deps.scorer.score(model, rows);
        if (predicted.length !== rows.length)
          throw new RescoringError(
            `${model} returned ${predicted.length} scores for ${rows.length} profiles`,
          );
        byModel.set(model, predicted);
      } catch (error) {
        if (!(error instanceof TailorError && error.retryable)) throw error;
        const message = `${model}: ${error.message}`;
        if (summary.errors.length < MAX_ERRORS && !summary.errors.includes(message))
          summary.errors.push(message);
        // No score from any model for this page: none is half-written, the old ones stay.
        byModel.clear();
        break;
      }
    }
    if (byModel.size === 0) summary.unscored += page.length;
    if (byModel.size === 0 && clusterModel === undefined) return;
    const writeOne = async ([index, stored]: readonly [number, StoredProfile]) => {
      const next: Record<string, ModelScore> = {};
      for (const [model, predicted] of byModel) {
        const p = predicted[index];
        if (p === undefined) continue;
        const t = tierOf(p);
        next[model] = { p, t, at: now };
        scores.get(model)?.push(p);
        const tiers = summary.tiers[model];
        if (tiers !== undefined) tiers[t]++;
      }
      const row = features[index];
      let cluster: ClusterAssignment | undefined;
      if (clusterModel !== undefined && row !== undefined) {
        cluster = { c: assignCluster(clusterModel, clusterFeaturesFrom(row)), at: now };
        summary.clustered++;
        summary.clusters[cluster.c] = (summary.clusters[cluster.c] ?? 0) + 1;
      }
      // The resolutions of the profile as finally written (a conflict reloads it and calls `mutate` again).
      let resolved: readonly (readonly [string, number, 0 | 1])[] = [];
      const outcome = await resettleProfile(deps, stored.profile.customerId, now, {
        initial: stored,
        deltas,
        mutate: (profile) => {
          const output = withModelOutputs(profile, next, cluster);
          const calibrated = output === undefined ? undefined : calibrateProfile(output, next, now, run);
          resolved = calibrated?.resolved ?? [];
          return calibrated?.profile;
        },
      });
      if (byModel.size > 0) summary.scored++;
      if (outcome.status === "written") {
        summary.profilesWritten++;
        for (const [model, p, y] of resolved) {
          const counts = summary.calibration[model] ?? emptyCalibrationCounts();
          summary.calibration[model] = counts;
          countPrediction(counts, p, y);
        }
      }
      summary.transitions += outcome.transitions;
      summary.transitionsPublished += outcome.published;
      summary.timerWrites += outcome.timerWrites;
      summary.conflicts += outcome.conflicts;
    };
    // Each profile of a page is a different customer: their writes go in parallel, a few at a time. Every write
    // is settled (and counted) before the first failure, if any, is thrown; a retried slice writes the same scores
    // again and counts each calibration resolution once (it is stored with the run's start).
    const settled = await mapLimit([...page.entries()], writeConcurrency, writeOne);
    const failed = settled.find((result) => result.status === "rejected");
    if (failed !== undefined) throw failed.reason;
  };

  // The profiles written before a failure are counted before it is thrown (the retried slice finds them moved).
  const { counterWrites } = await countingSizes(deps.segments.store, async (deltas) => {
    let page: StoredProfile[] = [];
    for await (const stored of deps.scan.scan(slice)) {
      summary.profiles++;
      if (!mayProfile(stored.profile)) {
        summary.skippedNoConsent++;
        continue;
      }
      page.push(stored);
      if (page.length >= batchSize) {
        await rescorePage(page, deltas);
        page = [];
      }
    }
    if (page.length > 0) await rescorePage(page, deltas);
  });
  summary.counterWrites += counterWrites;
  for (const [model, list] of scores) summary.histograms[model] = scoreHistogram(list, bins);
  return summary;
}

/** The scorer answered something unusable (not one score per profile). */
export class RescoringError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

/** The profile with `scores` merged into `sc`, or undefined (no write) when the customer objected to profiling. */
export function withScores(
  profile: Profile,
  scores: Readonly<Record<string, ModelScore>>,
): Profile | undefined {
  if (!mayProfile(profile) || Object.keys(scores).length === 0) return undefined;
  return { ...profile, sc: { ...profile.sc, ...scores } };
}

/**
 * The profile with `scores` merged into `sc` and its cluster set, or undefined (no write) when there is nothing
 * to write or the customer objected to profiling.
 */
export function withModelOutputs(
  profile: Profile,
  scores: Readonly<Record<string, ModelScore>>,
  cluster: ClusterAssignment | undefined,
): Profile | undefined {
  if (cluster === undefined) return withScores(profile, scores);
  if (!mayProfile(profile)) return undefined;
  return { ...(withScores(profile, scores) ?? profile), cl: cluster };
}

/** Sums slice summaries (histograms bin by bin, tiers, distinct errors). */
export function sumRescoreSummaries(parts: readonly RescoreSummary[]): RescoreSummary {
  const sum = (pick: (part: RescoreSummary) => number) => parts.reduce((n, part) => n + pick(part), 0);
  const models = [...new Set(parts.flatMap((part) => Object.keys(part.histograms)))];
  const histograms: Record<string, number[]> = {};
  const tiers: Record<string, TierCounts> = {};
  for (const model of models) {
    histograms[model] = sumHistograms(parts.map((part) => part.histograms[model] ?? []));
  }
  const features: Record<string, number[]> = {};
  for (const name of new Set(parts.flatMap((part) => Object.keys(part.features)))) {
    features[name] = sumHistograms(parts.map((part) => part.features[name] ?? []));
  }
  const calibration: Record<string, CalibrationCounts> = {};
  for (const model of new Set(parts.flatMap((part) => Object.keys(part.calibration)))) {
    calibration[model] = sumCalibrationCounts(parts.flatMap((part) => part.calibration[model] ?? []));
  }
  for (const model of models) {
    tiers[model] = {
      high: sum((p) => p.tiers[model]?.high ?? 0),
      medium: sum((p) => p.tiers[model]?.medium ?? 0),
      low: sum((p) => p.tiers[model]?.low ?? 0),
    };
  }
  return {
    // The segment batch path's counters, summed as it sums them.
    ...sumSummaries(parts),
    skippedNoConsent: sum((p) => p.skippedNoConsent),
    scored: sum((p) => p.scored),
    unscored: sum((p) => p.unscored),
    clustered: sum((p) => p.clustered),
    clusters: sumHistograms(parts.map((part) => part.clusters)),
    histograms,
    features,
    tiers,
    calibration,
    errors: [...new Set(parts.flatMap((part) => part.errors))].slice(0, MAX_ERRORS),
  };
}

function emptySummary(models: readonly string[], bins: number): RescoreSummary {
  return {
    profiles: 0,
    skippedNoConsent: 0,
    scored: 0,
    unscored: 0,
    clustered: 0,
    clusters: [],
    profilesWritten: 0,
    transitions: 0,
    transitionsPublished: 0,
    timerWrites: 0,
    counterWrites: 0,
    conflicts: 0,
    histograms: Object.fromEntries(models.map((model) => [model, new Array<number>(bins).fill(0)])),
    features: {},
    tiers: Object.fromEntries(models.map((model) => [model, { high: 0, medium: 0, low: 0 }])),
    calibration: Object.fromEntries(
      models
        .filter((model) => calibrationTarget(model) !== undefined)
        .map((m) => [m, emptyCalibrationCounts()]),
    ),
    errors: [],
  };
}
