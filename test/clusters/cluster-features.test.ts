import { describe, expect, it } from "vitest";
import {
  assignCluster,
  CLUSTER_FEATURES,
  ClusterInputError,
  clusterFeatures,
  clusterFeaturesFrom,
  fitClusters,
} from "#shared/domain/clusters/index.js";
import { FEATURE_NAMES, profileFeatures } from "#shared/domain/features/index.js";
import { simulatePopulation } from "../segments/sim-profiles.js";

const population = simulatePopulation({ customers: 100, days: 30, seed: 5, start: Date.UTC(2026, 0, 5) });
const now = population.end;

describe("clusterFeatures", () => {
  it("picks the RFM and engagement features from the shared feature function, by name", () => {
    for (const { profile } of population.customers.slice(0, 40)) {
      const all = profileFeatures(profile, now);
      const expected = CLUSTER_FEATURES.map((name) => all.values[FEATURE_NAMES.indexOf(name)]);
      expect(clusterFeatures(profile, now)).toEqual(expected);
      expect(clusterFeaturesFrom(all)).toEqual(expected);
    }
  });

  it("names features the feature function has", () => {
    for (const name of CLUSTER_FEATURES) expect(FEATURE_NAMES).toContain(name);
  });

  it("refuses features that lack one of the cluster features", () => {
    const { profile } = population.customers[0] ?? {};
    if (profile === undefined) throw new Error("no customer");
    const all = profileFeatures(profile, now);
    const without = { ...all, names: all.names.map((n) => (n === "open_rate" ? "renamed" : n)) };
    expect(() => clusterFeaturesFrom(without)).toThrow(ClusterInputError);
  });
});

describe("clusters of simulated customers", () => {
  const rows = population.customers.map(({ profile }) => clusterFeatures(profile, now));
  const model = fitClusters(rows, { k: 5, seed: 3 });
  const clusters = rows.map((row) => assignCluster(model, row));

  it("finds five non-empty clusters with distinct labels", () => {
    expect(rows.length).toBeGreaterThan(80);
    expect(model.centroids).toHaveLength(5);
    expect(model.sizes.every((size) => size > 0)).toBe(true);
    expect(new Set(model.labels).size).toBe(5);
  });

  it("numbers the clusters of buyers above those of customers who never ordered", () => {
    const orders = CLUSTER_FEATURES.indexOf("log_orders");
    const buyers = model.centroids.map((centroid) => (centroid[orders] ?? 0) >= Math.log1p(0.5));
    expect(buyers.filter(Boolean).length).toBeGreaterThan(0);
    expect(buyers.filter((b) => !b).length).toBeGreaterThan(0);
    // Once a cluster of buyers is reached, every cluster above it is one too.
    expect(buyers).toEqual([...buyers].sort((a, b) => Number(a) - Number(b)));
    const ordered = rows.map((row) => (row[orders] ?? 0) > 0);
    const inBuyerClusters = clusters.filter((c, i) => ordered[i] && buyers[c]).length;
    expect(inBuyerClusters / ordered.filter(Boolean).length).toBeGreaterThan(0.9);
    model.labels.forEach((label, c) => {
      expect(label.startsWith("never ordered"), label).toBe(!buyers[c]);
    });
  });

  it("is the same on a second run", () => {
    expect(fitClusters(rows, { k: 5, seed: 3 })).toEqual(model);
  });
});
