import type { RfmMonetaryBasis, RfmThresholds } from "./contracts.js";
import { DEFAULT_RFM_MONETARY_BASIS } from "./rfm.js";

/** Counts of one RFM input's values (value → customers), as JSON keeps them. */
export type ValueCounts = Record<string, number>;

/**
 * The RFM inputs of a part of the population as counts of each value: what a batch step keeps instead of every
 * sample, so parts read in parallel merge into the whole population's exact quintiles.
 */
export interface RfmHistogram {
  readonly recencyDays: ValueCounts;
  readonly frequency: ValueCounts;
  readonly monetary: ValueCounts;
  readonly population: number;
  /**
   * Set once the monetary values were rounded to {@link COARSE_DIGITS} significant digits because a part held more
   * than {@link MAX_EXACT_VALUES} distinct ones (the cut points are then within 0.5 % of the exact ones).
   */
  readonly coarse?: true;
}

/** Distinct monetary values a histogram keeps exactly before rounding them (bounds the stored size). */
export const MAX_EXACT_VALUES = 5000;
/** Significant digits the monetary values keep once rounded. */
export const COARSE_DIGITS = 3;

/** A histogram of nobody. */
export function emptyRfmHistogram(): RfmHistogram {
  return { recencyDays: {}, frequency: {}, monetary: {}, population: 0 };
}

const round = (value: number) => (value === 0 ? 0 : Number(value.toPrecision(COARSE_DIGITS)));

function coarsened(counts: ValueCounts): ValueCounts {
  const out: ValueCounts = {};
  for (const [value, n] of Object.entries(counts)) {
    const key = String(round(Number(value)));
    out[key] = (out[key] ?? 0) + n;
  }
  return out;
}

function addTo(counts: ValueCounts, value: number, n = 1): void {
  const key = String(value);
  counts[key] = (counts[key] ?? 0) + n;
}

/** Adds samples to a histogram (a new one; the input is left as it was). */
export function addRfmSamples(
  histogram: RfmHistogram,
  samples: Iterable<{ recencyDays: number; frequency: number; monetary: number }>,
): RfmHistogram {
  const recencyDays = { ...histogram.recencyDays };
  const frequency = { ...histogram.frequency };
  let monetary = { ...histogram.monetary };
  let coarse = histogram.coarse === true;
  let population = histogram.population;
  for (const sample of samples) {
    addTo(recencyDays, sample.recencyDays);
    addTo(frequency, sample.frequency);
    addTo(monetary, coarse ? round(sample.monetary) : sample.monetary);
    population++;
    if (!coarse && Object.keys(monetary).length > MAX_EXACT_VALUES) {
      monetary = coarsened(monetary);
      coarse = true;
    }
  }
  return { recencyDays, frequency, monetary, population, ...(coarse ? { coarse: true as const } : {}) };
}

/** Merges the histograms of disjoint parts (coarse if any part is, then every part is rounded the same way). */
export function mergeRfmHistograms(parts: readonly RfmHistogram[]): RfmHistogram {
  const coarse = parts.some((part) => part.coarse === true);
  const recencyDays: ValueCounts = {};
  const frequency: ValueCounts = {};
  const monetary: ValueCounts = {};
  let population = 0;
  for (const part of parts) {
    for (const [value, n] of Object.entries(part.recencyDays)) addTo(recencyDays, Number(value), n);
    for (const [value, n] of Object.entries(part.frequency)) addTo(frequency, Number(value), n);
    for (const [value, n] of Object.entries(coarse ? coarsened(part.monetary) : part.monetary)) {
      addTo(monetary, Number(value), n);
    }
    population += part.population;
  }
  return { recencyDays, frequency, monetary, population, ...(coarse ? { coarse: true as const } : {}) };
}

/** Nearest-rank percentile `p` of the values counted (the same rank `rfmThresholds` takes of sorted samples). */
function percentileOf(counts: ValueCounts, total: number, p: number): number {
  if (total === 0) return 0;
  const rank = Math.min(total - 1, Math.max(0, Math.ceil(p * total) - 1));
  const values = Object.entries(counts)
    .map(([value, n]): [number, number] => [Number(value), n])
    .sort((a, b) => a[0] - b[0]);
  let seen = 0;
  for (const [value, n] of values) {
    seen += n;
    if (seen > rank) return value;
  }
  return values.at(-1)?.[0] ?? 0;
}

function cutsOf(counts: ValueCounts, total: number): [number, number, number, number] {
  return [
    percentileOf(counts, total, 0.2),
    percentileOf(counts, total, 0.4),
    percentileOf(counts, total, 0.6),
    percentileOf(counts, total, 0.8),
  ];
}

/** The quintile cut points of a histogram: what `rfmThresholds` computes from the same samples. */
export function thresholdsFromHistogram(
  histogram: RfmHistogram,
  now: number,
  basis: RfmMonetaryBasis = DEFAULT_RFM_MONETARY_BASIS,
): RfmThresholds {
  const n = histogram.population;
  return {
    recencyDays: cutsOf(histogram.recencyDays, n),
    frequency: cutsOf(histogram.frequency, n),
    monetary: cutsOf(histogram.monetary, n),
    computedAt: now,
    population: n,
    monetaryBasis: basis,
  };
}
