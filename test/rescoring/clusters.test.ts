import { describe, expect, it } from "vitest";
import { fitRunClusters } from "#shared/app/rescoring/fit-run-clusters.js";
import { rescoreSlice } from "#shared/app/rescoring/index.js";
import { ScorerUnavailableError } from "#shared/aws/sagemaker-scorer.js";
import { assignCluster, clusterFeatures } from "#shared/domain/clusters/index.js";
import { mayProfile } from "#shared/domain/profile/consent.js";
import { DAY_MS } from "#shared/domain/profile/index.js";
import type { ClusterStore, ProfileScan, Scorer, StoredClusters } from "#shared/ports.js";
import { harness } from "../app/segment-harness.js";
import { simulatePopulation } from "../segments/sim-profiles.js";

const START = Date.UTC(2026, 5, 1);
const DAYS = 60;
const END = START + DAYS * DAY_MS;

class MemoryClusters implements ClusterStore {
  stored: StoredClusters | undefined;
  async current(): Promise<StoredClusters | undefined> {
    return this.stored;
  }
  async put(clusters: StoredClusters): Promise<void> {
    this.stored = clusters;
  }
}

class ConstantScorer implements Scorer {
  down = false;
  async score(model: string, rows: readonly number[][]): Promise<number[]> {
    if (this.down) throw new ScorerUnavailableError(`${model} did not answer`);
    return rows.map(() => 0.5);
  }
}

/** Simulated customers' profiles in the in-memory table, one in ten objecting to profiling. */
function populated(customers: number) {
  const h = harness([]);
  h.clock.at = END;
  const population = simulatePopulation({ customers, days: DAYS, seed: 5, start: START });
  population.customers.forEach(({ customerId, profile }, i) => {
    const objecting = i % 10 === 0;
    const stored = objecting
      ? { ...profile, c: { ...profile.c, profiling: { g: false, at: END - DAY_MS, src: "preferences" } } }
      : profile;
    h.profiles.items.set(customerId, { profile: { ...stored, version: 1 }, itemBytes: 1000 });
  });
  return h;
}

describe("the run's customer clusters", () => {
  it("fits on every profile that may be profiled, and the slices put each customer in its nearest cluster", async () => {
    const h = populated(150);
    const clusters = new MemoryClusters();
    const profiled = [...h.profiles.items.values()].filter(({ profile }) => mayProfile(profile));

    const report = await fitRunClusters(
      { scan: h.profiles, clusters, clock: h.clock },
      { totalSegments: 3, k: 4 },
    );

    expect(report).toMatchObject({ fitted: true, population: profiled.length, sampled: profiled.length });
    const model = clusters.stored?.model;
    if (model === undefined) throw new Error("no model stored");
    expect(model.centroids).toHaveLength(4);
    expect(clusters.stored?.fittedAt).toBe(END);

    const summary = await rescoreSlice(
      { ...h.batch(), scorer: new ConstantScorer(), clusters },
      { segment: 0, totalSegments: 1 },
      { models: ["purchase_30d"] },
    );

    expect(summary.clustered).toBe(profiled.length);
    expect(summary.clusters.reduce((a, b) => a + b, 0)).toBe(profiled.length);
    for (const [customerId, { profile }] of h.profiles.items) {
      if (!mayProfile(profile)) {
        expect(profile.cl, customerId).toBeUndefined();
        continue;
      }
      const original = profiled.find((p) => p.profile.customerId === customerId)?.profile;
      if (original === undefined) throw new Error(customerId);
      expect(profile.cl, customerId).toEqual({
        c: assignCluster(model, clusterFeatures(original, END)),
        at: END,
      });
    }
    // More than one cluster is used by a simulated population.
    expect(summary.clusters.filter((n) => n > 0).length).toBeGreaterThan(1);
  });

  it("reads at most 16 of a run's slices, evenly spread, and scales the population it counted", async () => {
    const h = populated(150);
    const profiled = [...h.profiles.items.values()].filter(({ profile }) => mayProfile(profile)).length;
    const read: number[] = [];
    const scan: ProfileScan = {
      scan(slice) {
        read.push(slice.segment);
        return h.profiles.scan(slice);
      },
    };

    const report = await fitRunClusters(
      { scan, clusters: new MemoryClusters(), clock: h.clock },
      { totalSegments: 64, k: 3 },
    );

    expect(read.sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i * 4));
    expect(report.fitted).toBe(true);
    // A quarter of the slices read: the count scaled by four, near the whole (each slice a hash share).
    expect(report.population % 4).toBe(0);
    expect(Math.abs(report.population - profiled)).toBeLessThan(profiled * 0.5);
    expect(report.population).not.toBe(profiled);
  });

  it("keeps the sample to its size, and the same table and seed give the same model", async () => {
    const h = populated(120);
    const a = new MemoryClusters();
    const b = new MemoryClusters();
    const deps = (clusters: ClusterStore) => ({ scan: h.profiles, clusters, clock: h.clock });

    const report = await fitRunClusters(deps(a), { totalSegments: 2, k: 3, sampleSize: 40 });
    await fitRunClusters(deps(b), { totalSegments: 2, k: 3, sampleSize: 40 });

    expect(report).toMatchObject({ fitted: true, sampled: 40 });
    expect(a.stored?.model).toEqual(b.stored?.model);
  });

  it("keeps the previous model when there are too few profiles to cluster", async () => {
    const h = populated(12);
    const clusters = new MemoryClusters();
    const previous: StoredClusters = {
      model: {
        version: 1,
        featureVersion: 1,
        features: [],
        mean: [],
        scale: [],
        centroids: [],
        sizes: [],
        inertia: 0,
        labels: [],
      },
      fittedAt: START,
      population: 500,
      sampled: 500,
    };
    clusters.stored = previous;

    const report = await fitRunClusters(
      { scan: h.profiles, clusters, clock: h.clock },
      { totalSegments: 1, k: 5 },
    );

    expect(report).toMatchObject({ fitted: false, reason: expect.stringMatching(/needed for 5 clusters/) });
    expect(clusters.stored).toBe(previous);
  });

  it("assigns clusters even when the scorer is down, leaving the scores as they were", async () => {
    const h = populated(60);
    const clusters = new MemoryClusters();
    await fitRunClusters({ scan: h.profiles, clusters, clock: h.clock }, { totalSegments: 1, k: 3 });
    const scorer = new ConstantScorer();
    scorer.down = true;

    const summary = await rescoreSlice(
      { ...h.batch(), scorer, clusters },
      { segment: 0, totalSegments: 1 },
      { models: ["purchase_30d"] },
    );

    expect(summary.scored).toBe(0);
    expect(summary.unscored).toBe(summary.clustered);
    expect(summary.clustered).toBeGreaterThan(0);
    for (const { profile } of h.profiles.items.values()) expect(profile.sc).toBeUndefined();
  });
});
