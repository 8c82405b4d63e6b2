import { clusterFeatures, fitClusters, MAX_CLUSTERS } from "#shared/domain/clusters/index.js";
import { seededRandom } from "#shared/domain/experiments/random.js";
import { mayProfile } from "#shared/domain/profile/consent.js";
import type { Clock, ClusterStore, ProfileScan, ScanSlice } from "#shared/ports.js";
import { mapLimit } from "../map-limit.js";
import { allSlices } from "../segments-batch.js";

/** What fitting a run's clusters needs. */
export interface FitClustersDeps {
  readonly scan: ProfileScan;
  readonly clusters: ClusterStore;
  readonly clock: Clock;
}

/** Options of {@link fitRunClusters}. */
export interface FitRunClustersOptions {
  /** Scan slices read in parallel. */
  readonly totalSegments: number;
  /** Clusters wanted (1–20). @default 5 */
  readonly k?: number;
  /** Most profiles fitted on, drawn uniformly from the table (a reservoir per slice). @default 20_000 */
  readonly sampleSize?: number;
  /** Seed of the sample and of k-means++: the same table and seed give the same model. @default 1 */
  readonly seed?: number;
}

/** What fitting did: the new model's clusters, or why the previous model was kept. */
export type ClusterRunReport =
  | {
      readonly fitted: true;
      /**
       * Profiles that may be profiled: counted in the slices read, scaled to the whole table when a run of more
       * than {@link SLICES_READ} slices reads some of them.
       */
      readonly population: number;
      readonly sampled: number;
      readonly labels: readonly string[];
      /** Per cluster: rows of the sample it holds. */
      readonly sizes: readonly number[];
      readonly inertia: number;
    }
  | { readonly fitted: false; readonly population: number; readonly reason: string };

/** Slices scanned at once by the one function that fits the clusters. */
const SCANS_AT_ONCE = 8;
/** Slices read at most to draw the sample (of a run's slices, evenly spread). */
export const SLICES_READ = 16;

/** Fewer profiles than this per cluster wanted and the previous model is kept: clusters of a handful mean nothing. */
const MIN_ROWS_PER_CLUSTER = 5;

/**
 * Fits this run's customer clusters: reads every profile (slices in parallel), leaves out those who objected to
 * profiling, keeps a uniform sample of their recency, frequency, monetary and engagement features, fits k-means
 * and stores the model, which the slices then use to assign every profile its cluster. With too few profiles
 * the stored model is left as it was and the report says why.
 */
export async function fitRunClusters(
  deps: FitClustersDeps,
  options: FitRunClustersOptions,
): Promise<ClusterRunReport> {
  const now = deps.clock.now();
  const k = options.k ?? 5;
  const seed = options.seed ?? 1;
  const slices = allSlices(Math.max(1, Math.floor(options.totalSegments)));
  // At most SLICES_READ slices, evenly spread: a scan segment holds a uniform share of the table (items are
  // split by their key's hash), so a few of them sample the whole as well, and this one function reads a bounded
  // part of a table of any size.
  const read =
    slices.length <= SLICES_READ
      ? slices
      : Array.from(
          { length: SLICES_READ },
          (_, i) => slices[Math.floor((i * slices.length) / SLICES_READ)],
        ).filter((slice): slice is ScanSlice => slice !== undefined);
  const perSlice = Math.max(1, Math.ceil((options.sampleSize ?? 20_000) / read.length));
  // A few scans at a time.
  const settled = await mapLimit(read, SCANS_AT_ONCE, (slice) =>
    sampleSlice(deps.scan, slice, now, perSlice, seed),
  );
  const parts = settled.map((result) => {
    if (result.status === "rejected") throw result.reason;
    return result.value;
  });
  const seen = parts.reduce((sum, part) => sum + part.seen, 0);
  const population = Math.round((seen * slices.length) / read.length);
  const rows = parts.flatMap((part) => part.rows);
  const needed = Math.min(k, MAX_CLUSTERS) * MIN_ROWS_PER_CLUSTER;
  if (rows.length < needed) {
    return {
      fitted: false,
      population,
      reason: `${rows.length} profiles to cluster, ${needed} needed for ${k} clusters: the previous clusters are kept`,
    };
  }
  const model = fitClusters(rows, { k, seed });
  await deps.clusters.put({ model, fittedAt: now, population, sampled: rows.length });
  return {
    fitted: true,
    population,
    sampled: rows.length,
    labels: model.labels,
    sizes: model.sizes,
    inertia: model.inertia,
  };
}

/** A uniform sample (reservoir, Algorithm R) of at most `size` feature rows of one slice, and how many were seen. */
async function sampleSlice(
  scan: ProfileScan,
  slice: ScanSlice,
  now: number,
  size: number,
  seed: number,
): Promise<{ rows: number[][]; seen: number }> {
  const random = seededRandom(seed * 1_000 + slice.segment);
  const rows: number[][] = [];
  let seen = 0;
  for await (const { profile } of scan.scan(slice)) {
    if (!mayProfile(profile)) continue;
    seen++;
    if (rows.length < size) {
      rows.push(clusterFeatures(profile, now));
      continue;
    }
    const j = Math.floor(random() * seen);
    if (j < size) rows[j] = clusterFeatures(profile, now);
  }
  return { rows, seen };
}
