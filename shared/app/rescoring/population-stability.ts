import { TailorError } from "#shared/errors.js";

/** PSI above which a score distribution is said to have drifted (the usual rule of thumb). */
export const DRIFT_THRESHOLD = 0.2;

/** Share given to an empty bin, so that the logarithm stays finite. */
export const PSI_EPSILON = 1e-4;

/** A distribution with no scores cannot be compared. */
export class EmptyDistributionError extends TailorError {
  constructor(which: string) {
    super(`the ${which} distribution has no scores`, { retryable: false });
  }
}

/** How two score distributions compare. */
export interface PopulationStability {
  /** Σ (current − previous) · ln(current / previous) over the bins' shares. 0 when identical. */
  readonly psi: number;
  /** `psi` > {@link DRIFT_THRESHOLD}. */
  readonly drift: boolean;
}

/** Counts of probabilities (0–1) in `bins` equal-width bins; 1 falls in the last bin. */
export function scoreHistogram(scores: Iterable<number>, bins = 10): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const score of scores) {
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(score * bins)));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return counts;
}

/** Adds histograms of the same bins (e.g. of every slice of a run). */
export function sumHistograms(parts: readonly (readonly number[])[]): number[] {
  const length = Math.max(0, ...parts.map((part) => part.length));
  return Array.from({ length }, (_, bin) => parts.reduce((sum, part) => sum + (part[bin] ?? 0), 0));
}

/**
 * The population stability index between two histograms of the same bins: each bin's share is floored at
 * {@link PSI_EPSILON} so an empty bin weighs heavily without being infinite.
 */
export function histogramStability(
  previous: readonly number[],
  current: readonly number[],
): PopulationStability {
  const shares = (counts: readonly number[], which: string) => {
    const total = counts.reduce((sum, n) => sum + n, 0);
    if (total <= 0) throw new EmptyDistributionError(which);
    return counts.map((n) => Math.max(PSI_EPSILON, n / total));
  };
  const before = shares(previous, "previous");
  const after = shares(current, "current");
  let psi = 0;
  for (let bin = 0; bin < Math.max(before.length, after.length); bin++) {
    const p = before[bin] ?? PSI_EPSILON;
    const c = after[bin] ?? PSI_EPSILON;
    psi += (c - p) * Math.log(c / p);
  }
  return { psi, drift: psi > DRIFT_THRESHOLD };
}

/** The population stability index of two sets of probabilities, over `bins` equal-width bins of [0, 1]. */
export function populationStability(
  previous: Iterable<number>,
  current: Iterable<number>,
  bins = 10,
): PopulationStability {
  return histogramStability(scoreHistogram(previous, bins), scoreHistogram(current, bins));
}
