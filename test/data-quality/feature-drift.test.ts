import { describe, expect, it } from "vitest";
import {
  addFeatureRows,
  FEATURE_BINS,
  FEATURE_DRIFT_THRESHOLD,
  featureBin,
  featureDrift,
} from "#shared/app/rescoring/feature-drift.js";
import { finishRescoreRun, type RescoreRun, type RescoreRunStore } from "#shared/app/rescoring/finish-run.js";
import { sumRescoreSummaries } from "#shared/app/rescoring/index.js";
import { FEATURE_NAMES } from "#shared/domain/features/index.js";
import { createObservability } from "#shared/lambda/middleware.js";
import { emitFeatureDrift } from "#shared/lambda/reports/rescore-report.js";
import { harness, T0 } from "../app/segment-harness.js";
import { captureEmf } from "../support/emf-records.js";

/** A deterministic generator (mulberry32), so the samples are the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** `n` rows of plausible model inputs; `shift` moves the open rate up and multiplies the orders. */
function sample(n: number, seed: number, shift = false): number[][] {
  const next = random(seed);
  return Array.from({ length: n }, () =>
    FEATURE_NAMES.map((name) => {
      const u = next();
      if (name === "open_rate") return Math.min(1, u * 0.4 + (shift ? 0.5 : 0));
      if (name === "log_orders") return Math.log1p(Math.floor(u * 4) * (shift ? 8 : 1));
      if (name === "days_since_last_seen") return Math.floor(u * 60);
      return u * 3;
    }),
  );
}

function histogramsOf(rows: readonly (readonly number[])[]): Record<string, number[]> {
  const histograms: Record<string, number[]> = {};
  addFeatureRows(histograms, FEATURE_NAMES, rows);
  return histograms;
}

describe("feature drift", () => {
  it("bins are fixed: negative, zero, then quarter octaves, the tail in the last bin", () => {
    expect(featureBin(-3)).toBe(0);
    expect(featureBin(Number.NaN)).toBe(0);
    expect(featureBin(0)).toBe(1);
    expect(featureBin(0.1)).toBe(2);
    expect(featureBin(1)).toBe(6);
    expect(featureBin(1e12)).toBe(FEATURE_BINS - 1);
    expect(new Set([0.05, 0.3, 0.6, 1].map(featureBin)).size).toBe(4);
  });

  it("an unchanged population (another sample of it) does not drift", () => {
    const drift = featureDrift(histogramsOf(sample(4000, 1)), histogramsOf(sample(4000, 2)));
    expect(Object.keys(drift.features)).toHaveLength(FEATURE_NAMES.length);
    expect(drift.drifted).toEqual([]);
    expect(drift.max).toBeLessThan(0.05);
  });

  it("flags the shifted features, and only them", () => {
    const drift = featureDrift(histogramsOf(sample(4000, 1)), histogramsOf(sample(4000, 2, true)));
    expect([...drift.drifted].sort()).toEqual(["log_orders", "open_rate"]);
    expect(drift.max).toBeGreaterThan(FEATURE_DRIFT_THRESHOLD);
    expect(drift.features.days_since_last_seen?.drift).toBe(false);
  });

  it("a rescoring run compares its sample with the previous run's and keeps it as the next baseline", async () => {
    // Prepare: two slices per run, as the state machine collects them
    const h = harness();
    let last: RescoreRun | undefined;
    const runs: RescoreRunStore = {
      lastRun: async () => last,
      putLastRun: async (run) => {
        last = run;
      },
    };
    const deps = { runs, clock: h.clock };
    const slice = (rows: number[][]) => ({
      ...sumRescoreSummaries([]),
      features: histogramsOf(rows),
    });

    // Act: the first run has no baseline; the second is unchanged; the third is shifted
    const first = await finishRescoreRun(deps, {
      startedAt: T0,
      summaries: [slice(sample(2000, 1)), slice(sample(2000, 2))],
    });
    const second = await finishRescoreRun(deps, {
      startedAt: T0 + 1,
      summaries: [slice(sample(2000, 3)), slice(sample(2000, 4))],
    });
    const third = await finishRescoreRun(deps, {
      startedAt: T0 + 2,
      summaries: [slice(sample(2000, 5, true)), slice(sample(2000, 6, true))],
    });

    // Assess
    expect(first.featureDrift).toEqual({ features: {}, max: 0, drifted: [] });
    expect(second.featureDrift.drifted).toEqual([]);
    expect([...third.featureDrift.drifted].sort()).toEqual(["log_orders", "open_rate"]);
    expect(last?.features?.open_rate?.reduce((a, b) => a + b, 0)).toBe(4000);
  });

  it("publishes FeatureDriftMax and FeatureDrift per feature, nothing when nothing was compared", () => {
    const observability = createObservability({ serviceName: "rescore", namespace: "Tailor" });
    const none = captureEmf(() =>
      emitFeatureDrift(observability.metrics, { features: {}, max: 0, drifted: [] }),
    );
    const records = captureEmf(() =>
      emitFeatureDrift(observability.metrics, {
        features: { open_rate: { psi: 0.4, drift: true }, log_orders: { psi: 0.01, drift: false } },
        max: 0.4,
        drifted: ["open_rate"],
      }),
    );
    expect(none).toHaveLength(0);
    expect(records.map((r) => [r.feature, r.FeatureDriftMax ?? r.FeatureDrift])).toEqual([
      [undefined, 0.4],
      ["open_rate", 0.4],
      ["log_orders", 0.01],
    ]);
  });
});
