import { describe, expect, it } from "vitest";
import {
  type ClusterModel,
  clusterLabels,
  clusterModelSchema,
  fitClusters,
  matchesClusterFeatures,
} from "#shared/domain/clusters/index.js";
import { PLANTED, plantedRows } from "./blobs.js";

const fitted = (): ClusterModel => fitClusters(plantedRows(PLANTED, 30, 21).rows, { k: 5 });

describe("clusterModelSchema", () => {
  it("reads back a model stored as JSON, equal to the fitted one", () => {
    const model = fitted();
    const stored: unknown = JSON.parse(JSON.stringify(model));
    const read = clusterModelSchema.safeParse(stored);
    expect(read.success).toBe(true);
    expect(read.data).toEqual(model);
  });

  it("refuses lists that do not fit the features or the clusters, and unknown versions", () => {
    const model = fitted();
    const broken: Record<string, unknown>[] = [
      { ...model, version: 2 },
      { ...model, mean: model.mean.slice(1) },
      { ...model, scale: model.scale.map(() => 0) },
      { ...model, centroids: [model.centroids[0]?.slice(1), ...model.centroids.slice(1)] },
      { ...model, sizes: model.sizes.slice(1) },
      { ...model, labels: [...model.labels, "extra"] },
      { ...model, centroids: [] },
      { ...model, inertia: -1 },
      { ...model, extra: true },
    ];
    for (const value of broken) {
      expect(
        clusterModelSchema.safeParse(JSON.parse(JSON.stringify(value))).success,
        JSON.stringify(value),
      ).toBe(false);
    }
  });
});

describe("matchesClusterFeatures", () => {
  it("accepts a model fitted on today's cluster features, not one of another version or layout", () => {
    const model = fitted();
    expect(matchesClusterFeatures(model)).toBe(true);
    expect(matchesClusterFeatures({ ...model, featureVersion: model.featureVersion + 1 })).toBe(false);
    expect(matchesClusterFeatures({ ...model, features: [...model.features].reverse() })).toBe(false);
    expect(matchesClusterFeatures({ ...model, features: model.features.slice(1) })).toBe(false);
  });
});

describe("clusterLabels", () => {
  const zero = [0, 0, 0, 0, 0, 0];
  const ordered = [0, 1, 3, 0, 0, 0];

  it("words each dimension against the population mean", () => {
    // days since last order, log orders, log revenue, days since last seen, open rate, click rate
    const labels = clusterLabels(
      [
        [1, -1, -1, 1, -1, -1],
        [0, 0, 0, 0, 0, 0],
        [-1, 1, 1, -1, 1, 1],
      ],
      [ordered, ordered, ordered],
    );
    expect(labels).toEqual([
      "lapsed, one-time, low spend, unengaged",
      "lapsing, occasional, mid spend, somewhat engaged",
      "recent, frequent, high spend, engaged",
    ]);
  });

  it("says when a cluster's typical member never ordered", () => {
    expect(clusterLabels([[1, -1, -1, -1, 1, 1]], [zero])).toEqual(["never ordered, engaged"]);
  });

  it("tells alike clusters apart by how they differ most, then by number", () => {
    const labels = clusterLabels(
      [
        [0, 0, 0, 0, 0.1, 0],
        [0, 0, 0, 0, 0.3, 0],
        [0, 0, 0, 0, 0.3, 0],
      ],
      [ordered, ordered, ordered],
    );
    expect(labels).toEqual([
      "lapsing, occasional, mid spend, somewhat engaged, fewer opens",
      "lapsing, occasional, mid spend, somewhat engaged, more opens (1)",
      "lapsing, occasional, mid spend, somewhat engaged, more opens (2)",
    ]);
  });
});
