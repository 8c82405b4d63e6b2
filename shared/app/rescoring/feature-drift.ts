import { histogramStability, type PopulationStability } from "./population-stability.js";

/**
 * PSI of a model input above which its distribution is said to have drifted: 0.1–0.25 is the usual "watch",
 * above 0.25 "significant shift" (the rule of thumb of credit scoring, where PSI comes from).
 */
export const FEATURE_DRIFT_THRESHOLD = 0.25;

/** Bins of a feature histogram: negative, zero, then quarter-octaves of 1 + x (x up to about 2^17). */
export const FEATURE_BINS = 70;

/**
 * The bin of a feature value. The bins are fixed (not the sample's quantiles), so two runs' histograms always
 * line up: bin 0 holds negative values, bin 1 zero, then `2 + ⌊4·log2(1 + x)⌋` (a quarter octave each, so
 * shares in [0, 1] spread over five bins and counts, days and amounts keep their shape), the last bin the rest.
 * A value that is not a finite number falls in bin 0.
 */
export function featureBin(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  if (value === 0) return 1;
  return Math.min(FEATURE_BINS - 1, 2 + Math.floor(4 * Math.log2(1 + value)));
}

/** Adds rows of model inputs (`names[i]` is column i) to per-feature histograms. */
export function addFeatureRows(
  histograms: Record<string, number[]>,
  names: readonly string[],
  rows: readonly (readonly number[])[],
): void {
  for (const [column, name] of names.entries()) {
    const histogram = histograms[name] ?? new Array<number>(FEATURE_BINS).fill(0);
    for (const row of rows) {
      const bin = featureBin(row[column] ?? Number.NaN);
      histogram[bin] = (histogram[bin] ?? 0) + 1;
    }
    histograms[name] = histogram;
  }
}

/** How much each feature's distribution moved since the previous run, and whether it drifted. */
export interface FeatureDrift {
  /** Per feature in both runs: its PSI, `drift` when above {@link FEATURE_DRIFT_THRESHOLD}. */
  readonly features: Record<string, PopulationStability>;
  /** The largest PSI (the alarm's metric); 0 when nothing could be compared. */
  readonly max: number;
  /** The features that drifted, largest PSI first. */
  readonly drifted: readonly string[];
}

const total = (histogram: readonly number[]) => histogram.reduce((sum, n) => sum + n, 0);

/**
 * The PSI of each model input between the previous run's sample and this one's (features missing from either,
 * or empty in either, are not compared).
 */
export function featureDrift(
  previous: Readonly<Record<string, readonly number[]>> | undefined,
  current: Readonly<Record<string, readonly number[]>>,
): FeatureDrift {
  const features: Record<string, PopulationStability> = {};
  for (const [name, histogram] of Object.entries(current)) {
    const before = previous?.[name];
    if (before === undefined || total(before) === 0 || total(histogram) === 0) continue;
    const { psi } = histogramStability(before, histogram);
    features[name] = { psi, drift: psi > FEATURE_DRIFT_THRESHOLD };
  }
  const ranked = Object.entries(features).sort((a, b) => b[1].psi - a[1].psi);
  return {
    features,
    max: ranked[0]?.[1].psi ?? 0,
    drifted: ranked.filter(([, stability]) => stability.drift).map(([name]) => name),
  };
}
