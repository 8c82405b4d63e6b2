import { type Random, seededRandom } from "../experiments/random.js";
import { FEATURE_VERSION } from "../features/index.js";
import { CLUSTER_FEATURES } from "./cluster-features.js";
import { clusterLabels, clusterValue } from "./cluster-labels.js";
import { type ClusterModel, MAX_CLUSTERS } from "./cluster-model.js";
import { ClusterInputError } from "./errors.js";
import { reseedEmpty } from "./reseed-empty.js";
import { nearest, squaredDistance, standardise } from "./standardise.js";

/** Options of {@link fitClusters}. */
export interface ClusterOptions {
  /** Clusters wanted, 1 to {@link MAX_CLUSTERS}; fewer when the rows hold fewer distinct points. @default 5 */
  readonly k?: number;
  /** Seed of the k-means++ draws: the same rows and seed give the same model. @default 1 */
  readonly seed?: number;
  /** Lloyd iterations at most. @default 100 */
  readonly maxIterations?: number;
}

type Rows = readonly (readonly number[])[];

function checkRows(rows: Rows): void {
  if (rows.length === 0) throw new ClusterInputError("no rows to cluster");
  const width = CLUSTER_FEATURES.length;
  rows.forEach((row, i) => {
    if (row.length !== width)
      throw new ClusterInputError(
        `row ${i} has ${row.length} features; ${width} expected (${CLUSTER_FEATURES.join(", ")})`,
      );
    if (!row.every(Number.isFinite))
      throw new ClusterInputError(`row ${i} has a value that is not a finite number`);
  });
}

/** Per feature mean and standard deviation (1 for a constant feature, so it stays 0 once standardised). */
function moments(rows: Rows): { mean: number[]; scale: number[] } {
  const width = CLUSTER_FEATURES.length;
  const mean = Array.from(
    { length: width },
    (_, j) => rows.reduce((sum, row) => sum + (row[j] ?? 0), 0) / rows.length,
  );
  const scale = mean.map((m, j) => {
    const variance = rows.reduce((sum, row) => sum + ((row[j] ?? 0) - m) ** 2, 0) / rows.length;
    const sd = Math.sqrt(variance);
    return sd > 1e-12 ? sd : 1;
  });
  return { mean, scale };
}

function distinctCount(rows: Rows): number {
  return new Set(rows.map((row) => row.join(","))).size;
}

/** k-means++: the first centre uniformly, each next one with probability proportional to its squared distance. */
function seedCentres(points: Rows, k: number, random: Random): number[][] {
  const first = points[Math.floor(random() * points.length)] ?? [];
  const centres = [[...first]];
  const distances = points.map((point) => squaredDistance(point, first));
  while (centres.length < k) {
    const total = distances.reduce((sum, d) => sum + d, 0);
    let target = random() * total;
    let chosen = distances.findIndex((d) => d > 0);
    for (let i = 0; i < points.length && total > 0; i++) {
      target -= distances[i] ?? 0;
      if (target < 0 && (distances[i] ?? 0) > 0) {
        chosen = i;
        break;
      }
    }
    const centre = points[chosen];
    if (centre === undefined) break;
    centres.push([...centre]);
    points.forEach((point, i) => {
      distances[i] = Math.min(distances[i] ?? 0, squaredDistance(point, centre));
    });
  }
  return centres;
}

function means(
  points: Rows,
  assignment: readonly number[],
  k: number,
  previous: readonly (readonly number[])[],
): number[][] {
  const width = CLUSTER_FEATURES.length;
  const sums = Array.from({ length: k }, () => new Array<number>(width).fill(0));
  const counts = new Array<number>(k).fill(0);
  points.forEach((point, i) => {
    const c = assignment[i] ?? 0;
    counts[c] = (counts[c] ?? 0) + 1;
    const sum = sums[c] ?? [];
    for (let j = 0; j < width; j++) sum[j] = (sum[j] ?? 0) + (point[j] ?? 0);
  });
  return sums.map((sum, c) => {
    const n = counts[c] ?? 0;
    return n === 0 ? [...(previous[c] ?? sum)] : sum.map((s) => s / n);
  });
}

/** Differences below this are rounding (a mean of n equal values is not always that value exactly). */
const SAME_WITHIN = 1e-9;

function compareNumbers(a: number, b: number): number {
  return Math.abs(a - b) <= SAME_WITHIN ? 0 : a - b;
}

/** Lexicographic order of two centres, coordinate by coordinate (up to rounding). */
function compareCentres(a: readonly number[], b: readonly number[]): number {
  for (let j = 0; j < a.length; j++) {
    const difference = compareNumbers(a[j] ?? 0, b[j] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * Fits k-means to rows of {@link CLUSTER_FEATURES} (see `clusterFeatures`): each feature is standardised
 * (z-score), centres are seeded by k-means++ from a seeded generator, then Lloyd iterations run until no row
 * changes cluster (or `maxIterations`). A cluster left empty takes the row farthest from its own centre. `k` is
 * capped at the number of distinct rows. Clusters are ordered by value (see {@link ClusterModel}). Pure and
 * deterministic: the same rows, in the same order, with the same seed give the same model.
 *
 * @throws {ClusterInputError} no rows, a row of the wrong width or with a non-finite value, `k` outside 1–20.
 */
export function fitClusters(rows: Rows, options: ClusterOptions = {}): ClusterModel {
  const { k: wanted = 5, seed = 1, maxIterations = 100 } = options;
  if (!Number.isInteger(wanted) || wanted < 1 || wanted > MAX_CLUSTERS)
    throw new ClusterInputError(`k must be a whole number from 1 to ${MAX_CLUSTERS} (got ${wanted})`);
  checkRows(rows);
  const { mean, scale } = moments(rows);
  const points = rows.map((row) => standardise(row, mean, scale));
  const k = Math.min(wanted, distinctCount(rows));
  let centres = seedCentres(points, k, seededRandom(seed));
  let assignment = points.map((point) => nearest(point, centres));
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    reseedEmpty(points, centres, assignment);
    centres = means(points, assignment, centres.length, centres);
    const next = points.map((point) => nearest(point, centres));
    const stable = next.every((c, i) => c === assignment[i]);
    assignment = next;
    if (stable) break;
  }
  // Equal values (clusters of customers who never ordered: equal up to rounding) are ordered by their centres,
  // not by which k-means++ draw found them first, so the same clusters get the same numbers whatever it drew.
  const order = centres
    .map((centre, c) => ({ c, centre, value: clusterValue(centre) }))
    .sort((a, b) => compareNumbers(a.value, b.value) || compareCentres(a.centre, b.centre) || a.c - b.c);
  const rank = new Array<number>(centres.length).fill(0);
  order.forEach(({ c }, i) => {
    rank[c] = i;
  });
  const standardised = order.map(({ c }) => centres[c] ?? []);
  const centroids = standardised.map((centre) => centre.map((z, j) => z * (scale[j] ?? 1) + (mean[j] ?? 0)));
  const sizes = new Array<number>(centres.length).fill(0);
  let inertia = 0;
  points.forEach((point, i) => {
    const c = assignment[i] ?? 0;
    const ranked = rank[c] ?? 0;
    sizes[ranked] = (sizes[ranked] ?? 0) + 1;
    inertia += squaredDistance(point, centres[c] ?? []);
  });
  return {
    version: 1,
    featureVersion: FEATURE_VERSION,
    features: [...CLUSTER_FEATURES],
    mean,
    scale,
    centroids,
    sizes,
    inertia,
    labels: clusterLabels(standardised, centroids),
  };
}
