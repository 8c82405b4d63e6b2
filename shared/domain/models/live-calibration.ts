import type { PendingPrediction, Profile } from "../profile/index.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * What a propensity model predicts, so a prediction can be compared with what happened: within `horizonDays`
 * after it, `order` is 1 when the customer ordered (`purchase_30d`), `inactive` is 1 when the customer did nothing
 * of their own (`churn_60d`), the labels the training workflow learns (`shared/app/training/dataset.ts`).
 */
export interface CalibrationTarget {
  readonly horizonDays: number;
  readonly outcome: "order" | "inactive";
}

const TARGETS: readonly { readonly pattern: RegExp; readonly outcome: CalibrationTarget["outcome"] }[] = [
  { pattern: /^purchase_(\d{1,3})d$/, outcome: "order" },
  { pattern: /^churn_(\d{1,3})d$/, outcome: "inactive" },
];

/** The target of a model named `purchase_<days>d` or `churn_<days>d`; undefined for any other model. */
export function calibrationTarget(model: string): CalibrationTarget | undefined {
  for (const { pattern, outcome } of TARGETS) {
    const days = Number(pattern.exec(model)?.[1]);
    if (days > 0) return { horizonDays: days, outcome };
  }
  return undefined;
}

/** Equal-width bins of [0, 1] the predictions are counted in (1 falls in the last one). */
export const CALIBRATION_BINS = 10;

/** A bin with fewer resolved predictions is left out of the gap: its observed rate is mostly noise. */
export const MIN_BIN_OBSERVATIONS = 50;

/** Days of nightly resolutions the gap is computed over (a rolling window, kept with the last run). */
export const CALIBRATION_WINDOW_DAYS = 14;

/** Resolved predictions per bin: how many, the sum of their probabilities, how many came true. */
export interface CalibrationCounts {
  readonly n: number[];
  readonly p: number[];
  readonly y: number[];
}

/** Counts with every bin at zero. */
export function emptyCalibrationCounts(bins: number = CALIBRATION_BINS): CalibrationCounts {
  const zeros = () => new Array<number>(bins).fill(0);
  return { n: zeros(), p: zeros(), y: zeros() };
}

/** Counts one resolved prediction `p` with outcome `y` into its bin (mutates `counts`). */
export function countPrediction(counts: CalibrationCounts, p: number, y: 0 | 1): void {
  const bins = counts.n.length;
  const bin = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
  counts.n[bin] = (counts.n[bin] ?? 0) + 1;
  counts.p[bin] = (counts.p[bin] ?? 0) + p;
  counts.y[bin] = (counts.y[bin] ?? 0) + y;
}

/** Adds counts bin by bin (the slices of a run, the runs of a window). */
export function sumCalibrationCounts(parts: readonly CalibrationCounts[]): CalibrationCounts {
  const bins = Math.max(CALIBRATION_BINS, ...parts.map((part) => part.n.length));
  const sum = emptyCalibrationCounts(bins);
  for (const part of parts) {
    for (let bin = 0; bin < bins; bin++) {
      sum.n[bin] = (sum.n[bin] ?? 0) + (part.n[bin] ?? 0);
      sum.p[bin] = (sum.p[bin] ?? 0) + (part.p[bin] ?? 0);
      sum.y[bin] = (sum.y[bin] ?? 0) + (part.y[bin] ?? 0);
    }
  }
  return sum;
}

/** Total resolved predictions in `counts`. */
export const resolvedCount = (counts: CalibrationCounts): number => counts.n.reduce((a, b) => a + b, 0);

/** How a model's predictions compared with what happened. */
export interface LiveCalibration {
  /**
   * Expected calibration error: Σ over the bins with at least the minimum of observations of (share of those
   * observations) · |mean predicted − observed rate|; undefined when no bin has enough.
   */
  readonly gap: number | undefined;
  /** Mean predicted minus observed rate over the same bins (positive: the model promises too much). */
  readonly bias: number | undefined;
  /** Resolved predictions counted. */
  readonly observations: number;
  /** Of which in bins with enough observations (those the gap is computed from). */
  readonly used: number;
  /** Bins with enough observations. */
  readonly bins: number;
}

/** The calibration gap of `counts`, ignoring bins with fewer than `minPerBin` observations. */
export function liveCalibration(
  counts: CalibrationCounts,
  minPerBin: number = MIN_BIN_OBSERVATIONS,
): LiveCalibration {
  let used = 0;
  let bins = 0;
  let weightedGap = 0;
  let predicted = 0;
  let observed = 0;
  counts.n.forEach((n, bin) => {
    if (n < Math.max(1, minPerBin)) return;
    const p = counts.p[bin] ?? 0;
    const y = counts.y[bin] ?? 0;
    used += n;
    bins++;
    weightedGap += Math.abs(p - y);
    predicted += p;
    observed += y;
  });
  const observations = resolvedCount(counts);
  if (used === 0) return { gap: undefined, bias: undefined, observations, used, bins };
  return { gap: weightedGap / used, bias: (predicted - observed) / used, observations, used, bins };
}

/** What one nightly rescoring does to a customer's pending prediction of one model. */
export interface CalibrationStep {
  /** The pending prediction to store. */
  readonly next: PendingPrediction;
  /** The prediction this run resolved (to count once), if any. */
  readonly resolved: { readonly p: number; readonly y: 0 | 1 } | undefined;
}

/** The probability as kept in the profile: 4 decimals. */
const kept = (p: number) => Math.round(Math.min(1, Math.max(0, p)) * 1e4) / 1e4;

/**
 * The nightly step of live calibration for `model`, scored `p` at `now` by the run started at `run`:
 * - no prediction pending: `p` becomes the pending one;
 * - one pending whose horizon has not passed: it stays, remembering (`h`) when the model's event already happened
 *   within the horizon (an order `o.l`, or the customer's own activity `ls`, after it and within the horizon);
 * - one pending whose horizon has passed: it is resolved (outcome 1 when an order came within the horizon for
 *   `order`, when none of the customer's own activity did for `inactive`) and `p` becomes the pending one, the
 *   resolution stored with it under the run (`r`);
 * - one resolved by this same run (a retried slice that had already written this profile): unchanged, and its
 *   stored resolution is returned again, so the retry counts what the failed attempt's lost summary had counted,
 *   once.
 * Undefined for a model with no {@link calibrationTarget}.
 */
export function calibrationStep(
  profile: Profile,
  model: string,
  p: number,
  now: number,
  run: number,
): CalibrationStep | undefined {
  const target = calibrationTarget(model);
  if (target === undefined) return undefined;
  const pending = profile.cb?.[model];
  const fresh: PendingPrediction = { p: kept(p), at: now };
  if (pending === undefined) return { next: fresh, resolved: undefined };
  if (pending.r !== undefined && pending.r[0] === run) {
    return { next: pending, resolved: { p: pending.r[1], y: pending.r[2] } };
  }
  const end = pending.at + target.horizonDays * DAY_MS;
  const last = target.outcome === "order" ? profile.o?.l : profile.ls;
  const happened = pending.h === 1 || (last !== undefined && last > pending.at && last <= end);
  if (now < end)
    return { next: { p: pending.p, at: pending.at, ...(happened ? { h: 1 } : {}) }, resolved: undefined };
  const y = target.outcome === "order" ? (happened ? 1 : 0) : happened ? 0 : 1;
  return { next: { ...fresh, r: [run, pending.p, y] }, resolved: { p: pending.p, y } };
}

/** The profile with the pending predictions `next` merged into `cb`. */
export function withPendingPredictions(
  profile: Profile,
  next: Readonly<Record<string, PendingPrediction>>,
): Profile {
  if (Object.keys(next).length === 0) return profile;
  return { ...profile, cb: { ...profile.cb, ...next } };
}

/** A profile after the calibration step of every model scored, and what the run resolved. */
export interface CalibratedProfile {
  readonly profile: Profile;
  /** `[model, probability, outcome]` of each prediction resolved (to count once the profile is written). */
  readonly resolved: readonly (readonly [string, number, 0 | 1])[];
}

/** {@link calibrationStep} for each model of `scores` (probabilities by model), applied to the profile. */
export function calibrateProfile(
  profile: Profile,
  scores: Readonly<Record<string, { readonly p: number }>>,
  now: number,
  run: number,
): CalibratedProfile {
  const next: Record<string, PendingPrediction> = {};
  const resolved: [string, number, 0 | 1][] = [];
  for (const [model, { p }] of Object.entries(scores)) {
    const step = calibrationStep(profile, model, p, now, run);
    if (step === undefined) continue;
    next[model] = step.next;
    if (step.resolved !== undefined) resolved.push([model, step.resolved.p, step.resolved.y]);
  }
  return { profile: withPendingPredictions(profile, next), resolved };
}
