import { describe, expect, it } from "vitest";
import { nextCalibrationWindows } from "#shared/app/rescoring/calibration-window.js";
import { seededRandom } from "#shared/domain/experiments/random.js";
import {
  type CalibrationCounts,
  calibrationStep,
  calibrationTarget,
  countPrediction,
  emptyCalibrationCounts,
  liveCalibration,
  MIN_BIN_OBSERVATIONS,
} from "#shared/domain/models/live-calibration.js";
import { foldEvents } from "#shared/domain/profile/index.js";

const DAY = 24 * 60 * 60 * 1000;
const T0 = Date.UTC(2026, 10, 1);

/** `n` predictions spread over [0, 1) whose outcomes come true with probability `truth(p)`. */
function population(n: number, seed: number, truth: (p: number) => number): CalibrationCounts {
  const next = seededRandom(seed);
  const counts = emptyCalibrationCounts();
  for (let i = 0; i < n; i++) {
    const p = next() ** 2; // more low scores than high, as propensities are
    countPrediction(counts, p, next() < truth(p) ? 1 : 0);
  }
  return counts;
}

/** A profile of `customer` as folded at `at`, with `orderAt` its last order and `seenAt` its last own event. */
function profileWith(last: { readonly orderAt?: number; readonly seenAt?: number }) {
  const profile = foldEvents(undefined, "c-1", [], T0).profile;
  if (last.orderAt !== undefined) profile.o = { n: 1, r: 0, f: last.orderAt, l: last.orderAt };
  if (last.seenAt !== undefined) profile.ls = last.seenAt;
  return profile;
}

describe("liveCalibration", () => {
  it("finds a small gap for a calibrated population and a large one for a model promising twice too much", () => {
    const calibrated = liveCalibration(population(20_000, 1, (p) => p));
    const halved = liveCalibration(population(20_000, 2, (p) => p / 2));

    expect(calibrated.observations).toBe(20_000);
    expect(calibrated.gap).toBeLessThan(0.02);
    expect(Math.abs(calibrated.bias ?? 1)).toBeLessThan(0.02);
    // Mean p of p = u² is 1/3: halving the outcomes leaves a gap of about 1/6, all of it over-prediction.
    expect(halved.gap).toBeGreaterThan(0.14);
    expect(halved.gap).toBeLessThan(0.2);
    expect(halved.bias).toBeCloseTo(halved.gap ?? 0, 6);
  });

  it("leaves out bins with fewer than the minimum of observations, and has no gap when none has enough", () => {
    const counts = emptyCalibrationCounts();
    for (let i = 0; i < 100; i++) countPrediction(counts, 0.05, i < 5 ? 1 : 0); // calibrated: 5 %
    for (let i = 0; i < MIN_BIN_OBSERVATIONS - 1; i++) countPrediction(counts, 0.95, 0); // never came true

    const gated = liveCalibration(counts);
    const ungated = liveCalibration(counts, 1);

    expect(gated).toMatchObject({ bins: 1, used: 100, observations: 100 + MIN_BIN_OBSERVATIONS - 1 });
    expect(gated.gap).toBeCloseTo(0, 9);
    expect(ungated.gap).toBeGreaterThan(0.3);
    const few = emptyCalibrationCounts();
    countPrediction(few, 0.5, 1);
    expect(liveCalibration(few)).toEqual({
      gap: undefined,
      bias: undefined,
      observations: 1,
      used: 0,
      bins: 0,
    });
  });
});

describe("calibrationStep", () => {
  it("knows the horizon and outcome of purchase_<n>d and churn_<n>d models only", () => {
    expect(calibrationTarget("purchase_30d")).toEqual({ horizonDays: 30, outcome: "order" });
    expect(calibrationTarget("churn_60d")).toEqual({ horizonDays: 60, outcome: "inactive" });
    expect(calibrationTarget("recommendations")).toBeUndefined();
    expect(calibrationTarget("purchase_0d")).toBeUndefined();
    expect(calibrationStep(profileWith({}), "recommendations", 0.5, T0, T0)).toBeUndefined();
  });

  it("keeps a prediction until its horizon, remembers an order within it, then resolves it once per run", () => {
    const first = calibrationStep(profileWith({}), "purchase_30d", 0.123456, T0, T0);
    expect(first).toEqual({ next: { p: 0.1235, at: T0 }, resolved: undefined });

    // An order on day 10, seen on day 11; by day 31 a later order (day 40 is beyond) must not hide it.
    const day11 = profileWith({ orderAt: T0 + 10 * DAY });
    day11.cb = { purchase_30d: { p: 0.1235, at: T0 } };
    const waiting = calibrationStep(day11, "purchase_30d", 0.3, T0 + 11 * DAY, T0 + 11 * DAY);
    expect(waiting).toEqual({ next: { p: 0.1235, at: T0, h: 1 }, resolved: undefined });

    const day41 = profileWith({ orderAt: T0 + 40 * DAY });
    day41.cb = { purchase_30d: waiting?.next ?? { p: 0, at: 0 } };
    const run = T0 + 41 * DAY;
    const resolved = calibrationStep(day41, "purchase_30d", 0.6, run, run);
    expect(resolved).toEqual({
      next: { p: 0.6, at: run, r: [run, 0.1235, 1] },
      resolved: { p: 0.1235, y: 1 },
    });

    // The same run again (a retried slice that had written this profile): the stored resolution, unchanged.
    day41.cb = { purchase_30d: resolved?.next ?? { p: 0, at: 0 } };
    expect(calibrationStep(day41, "purchase_30d", 0.7, run + 5000, run)).toEqual({
      next: resolved?.next,
      resolved: { p: 0.1235, y: 1 },
    });
    // The next night's run: a new prediction waiting, nothing resolved.
    expect(calibrationStep(day41, "purchase_30d", 0.7, run + DAY, run + DAY)?.resolved).toBeUndefined();
  });

  it("counts an order only within the horizon, and churn as no own activity within it", () => {
    const late = profileWith({ orderAt: T0 + 31 * DAY, seenAt: T0 + 61 * DAY });
    late.cb = { purchase_30d: { p: 0.4, at: T0 }, churn_60d: { p: 0.2, at: T0 } };
    expect(calibrationStep(late, "purchase_30d", 0.4, T0 + 31 * DAY, 1)?.resolved).toEqual({ p: 0.4, y: 0 });
    expect(calibrationStep(late, "churn_60d", 0.2, T0 + 61 * DAY, 1)?.resolved).toEqual({ p: 0.2, y: 1 });
    const active = profileWith({ seenAt: T0 + 59 * DAY });
    active.cb = { churn_60d: { p: 0.2, at: T0 } };
    expect(calibrationStep(active, "churn_60d", 0.2, T0 + 61 * DAY, 1)?.resolved).toEqual({ p: 0.2, y: 0 });
  });
});

describe("nextCalibrationWindows", () => {
  const counts = (n: number, y: number): CalibrationCounts => {
    const c = emptyCalibrationCounts();
    for (let i = 0; i < n; i++) countPrediction(c, 0.35, i < y ? 1 : 0);
    return c;
  };

  it("adds a run once even when Finish is retried, drops runs past the window and models left empty", () => {
    const first = nextCalibrationWindows(undefined, { purchase_30d: counts(60, 21) }, T0);
    const retried = nextCalibrationWindows(first.windows, { purchase_30d: counts(60, 21) }, T0);
    expect(retried).toEqual(first);
    expect(first.models.purchase_30d).toMatchObject({ resolved: 60, runs: 1, since: T0, observations: 60 });
    expect(first.models.purchase_30d?.gap).toBeCloseTo(0, 9);

    const next = nextCalibrationWindows(first.windows, { purchase_30d: counts(60, 0) }, T0 + DAY);
    expect(next.models.purchase_30d).toMatchObject({ resolved: 60, runs: 2, observations: 120 });
    expect(next.models.purchase_30d?.gap).toBeCloseTo(0.35 / 2, 9);

    const later = nextCalibrationWindows(
      next.windows,
      { purchase_30d: emptyCalibrationCounts() },
      T0 + 14.5 * DAY,
    );
    expect(later.models.purchase_30d).toMatchObject({ resolved: 0, runs: 1, since: T0 + DAY });
    expect(nextCalibrationWindows(later.windows, {}, T0 + 40 * DAY)).toEqual({ windows: {}, models: {} });
  });
});
