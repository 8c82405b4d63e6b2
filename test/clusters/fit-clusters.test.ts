import { describe, expect, it } from "vitest";
import {
  assignCluster,
  CLUSTER_FEATURES,
  ClusterInputError,
  clusterValue,
  fitClusters,
} from "#shared/domain/clusters/index.js";
import { reseedEmpty } from "#shared/domain/clusters/reseed-empty.js";
import { FEATURE_VERSION } from "#shared/domain/features/index.js";
import { PLANTED, plantedRows, purity } from "./blobs.js";

const standardised = (row: readonly number[], mean: readonly number[], scale: readonly number[]) =>
  row.map((v, j) => (v - (mean[j] ?? 0)) / (scale[j] ?? 1));

describe("fitClusters on planted groups", () => {
  it.each([1, 2, 3])("recovers five Gaussian blobs with purity ≥ 0.95 (seed %i)", (seed) => {
    const { rows, truth } = plantedRows(PLANTED, 80, 100 + seed);
    const model = fitClusters(rows, { k: 5, seed });
    const clusters = rows.map((row) => assignCluster(model, row));

    expect(model.centroids).toHaveLength(5);
    expect(purity(clusters, truth)).toBeGreaterThanOrEqual(0.95);
  });

  it("numbers clusters by value: the least valuable group is 0, the most valuable 4", () => {
    const { rows, truth } = plantedRows(PLANTED, 80, 7);
    const model = fitClusters(rows, { k: 5 });
    const clusters = rows.map((row) => assignCluster(model, row));

    // Each planted group (listed from least to most valuable) lands in the cluster of its own rank.
    for (let b = 0; b < PLANTED.length; b++) {
      const mine = clusters.filter((_, i) => truth[i] === b);
      expect(mine.filter((c) => c === b).length / mine.length, `group ${b}`).toBeGreaterThan(0.9);
    }
    const values = model.centroids.map((c) => clusterValue(standardised(c, model.mean, model.scale)));
    expect(values).toEqual([...values].sort((a, b) => a - b));
  });

  it("numbers clusters of equal value (never ordered) the same whichever seed found them", () => {
    // GIVEN three groups that never ordered (equal value), apart only in being seen and opening e-mail, and buyers
    const never = (seen: number, opens: number) => [365, 0, 0, seen, opens, 0];
    const rows = [
      ...Array.from({ length: 15 }, (_, i) => never(2 + (i % 3), 0.6)),
      ...Array.from({ length: 7 }, (_, i) => never(40 + (i % 3), 0.1)),
      ...Array.from({ length: 14 }, (_, i) => never(90 + (i % 3), 0)),
      ...Array.from({ length: 12 }, (_, i) => [10 + (i % 3), Math.log1p(3), Math.log1p(200), 5, 0.4, 0.1]),
    ];

    // WHEN fitted from different k-means++ seeds
    const models = [1, 2, 3, 4, 5, 6, 7, 8].map((seed) => fitClusters(rows, { k: 4, seed }));

    // THEN every fit finds the same groups and numbers them alike
    for (const model of models) expect(model.centroids).toEqual(models[0]?.centroids);
  });

  it("labels clusters in words, distinct, from the centre against the population", () => {
    const { rows } = plantedRows(PLANTED, 80, 7);
    const model = fitClusters(rows, { k: 5 });

    expect(new Set(model.labels).size).toBe(5);
    expect(model.labels[0]).toMatch(/^never ordered, unengaged/);
    expect(model.labels[1]).toMatch(/^lapsed, one-time, /);
    // The two best groups read alike at first; each then gets the way it differs most from the other.
    expect(model.labels[3]).toMatch(/^recent, frequent, high spend, engaged, (more|fewer) /);
    expect(model.labels[4]).toMatch(/^recent, frequent, high spend, engaged, (more|fewer) /);
  });

  it("describes the model: features, standardisation, sizes, inertia", () => {
    const { rows } = plantedRows(PLANTED, 50, 9);
    const model = fitClusters(rows, { k: 5 });

    expect(model.version).toBe(1);
    expect(model.featureVersion).toBe(FEATURE_VERSION);
    expect(model.features).toEqual(CLUSTER_FEATURES);
    expect(model.sizes.reduce((a, b) => a + b, 0)).toBe(rows.length);
    const clusters = rows.map((row) => assignCluster(model, row));
    expect(model.sizes).toEqual(model.centroids.map((_, c) => clusters.filter((x) => x === c).length));
    // Standardised columns: mean 0, standard deviation 1.
    for (let j = 0; j < CLUSTER_FEATURES.length; j++) {
      const z = rows.map((row) => standardised(row, model.mean, model.scale)[j] ?? 0);
      const mean = z.reduce((a, b) => a + b, 0) / z.length;
      const variance = z.reduce((a, b) => a + (b - mean) ** 2, 0) / z.length;
      expect(mean).toBeCloseTo(0, 9);
      expect(variance).toBeCloseTo(1, 9);
    }
    let inertia = 0;
    rows.forEach((row, i) => {
      const z = standardised(row, model.mean, model.scale);
      const centre = standardised(model.centroids[clusters[i] ?? 0] ?? [], model.mean, model.scale);
      inertia += z.reduce((sum, v, j) => sum + (v - (centre[j] ?? 0)) ** 2, 0);
    });
    expect(model.inertia).toBeCloseTo(inertia, 6);
    // Each centre is the mean of its members, in the features' own units.
    model.centroids.forEach((centroid, c) => {
      const members = rows.filter((_, i) => clusters[i] === c);
      centroid.forEach((v, j) => {
        expect(v).toBeCloseTo(members.reduce((sum, row) => sum + (row[j] ?? 0), 0) / members.length, 6);
      });
    });
  });

  it("gives a constant feature a scale of 1", () => {
    const { rows } = plantedRows(PLANTED, 20, 3);
    const model = fitClusters(
      rows.map((row) => row.map((v, j) => (j === 5 ? 0.25 : v))),
      { k: 3 },
    );
    expect(model.scale[5]).toBe(1);
    expect(model.mean[5]).toBe(0.25);
  });
});

describe("fitClusters is deterministic", () => {
  it("gives the same model for the same rows and seed", () => {
    const { rows } = plantedRows(PLANTED, 40, 11);
    const a = fitClusters(rows, { k: 4, seed: 5 });
    const b = fitClusters(
      rows.map((row) => [...row]),
      { k: 4, seed: 5 },
    );
    expect(b).toEqual(a);
  });

  it("seeds from the seed: different seeds can start elsewhere on overlapping data", () => {
    const { rows } = plantedRows(
      [{ centre: [100, 1, 4, 30, 0.3, 0.1], spread: [60, 0.5, 1, 20, 0.2, 0.1] }],
      300,
      2,
    );
    const models = [1, 2, 3, 4].map((seed) => fitClusters(rows, { k: 5, seed, maxIterations: 1 }));
    const distinct = new Set(models.map((model) => JSON.stringify(model.centroids)));
    expect(distinct.size).toBeGreaterThan(1);
  });
});

describe("fitClusters with few distinct rows", () => {
  it("caps k at the number of distinct rows, one cluster per point, no error", () => {
    const points = [
      [365, 0, 0, 100, 0, 0],
      [20, 1.5, 5, 3, 0.5, 0.2],
      [90, 0.7, 3, 30, 0.1, 0],
    ];
    const rows = Array.from({ length: 12 }, (_, i) => [...(points[i % 3] ?? [])]);
    const model = fitClusters(rows, { k: 5 });

    expect(model.centroids).toHaveLength(3);
    expect(model.sizes).toEqual([4, 4, 4]);
    expect(model.inertia).toBeCloseTo(0, 9);
    for (const point of points) {
      const c = assignCluster(model, point);
      model.centroids[c]?.forEach((v, j) => {
        expect(v).toBeCloseTo(point[j] ?? Number.NaN, 9);
      });
    }
    expect(new Set(model.labels).size).toBe(3);
  });

  it("fits a single row as one cluster", () => {
    const model = fitClusters([[10, 1, 2, 3, 0.5, 0.1]]);
    expect(model.centroids).toEqual([[10, 1, 2, 3, 0.5, 0.1]]);
    expect(model.sizes).toEqual([1]);
    expect(model.scale).toEqual([1, 1, 1, 1, 1, 1]);
  });
});

describe("assignCluster", () => {
  it("picks the nearest centre in standardised units", () => {
    const { rows } = plantedRows(PLANTED, 30, 13);
    const model = fitClusters(rows, { k: 5 });
    const probes = plantedRows(
      [{ centre: [180, 1.2, 4, 80, 0.4, 0.1], spread: [120, 1, 3, 70, 0.3, 0.15] }],
      200,
      14,
    ).rows;
    for (const probe of probes) {
      const z = standardised(probe, model.mean, model.scale);
      const distances = model.centroids.map((c) =>
        standardised(c, model.mean, model.scale).reduce((sum, v, j) => sum + (v - (z[j] ?? 0)) ** 2, 0),
      );
      const c = assignCluster(model, probe);
      expect(distances[c]).toBe(Math.min(...distances));
    }
  });

  it("is not fooled by units: a gap of days weighs as much as a gap of rates once standardised", () => {
    const rows = [
      [0, 0, 0, 0, 0, 0],
      [0, 0, 0, 0, 1, 0],
      [300, 0, 0, 0, 0, 0],
      [300, 0, 0, 0, 1, 0],
    ];
    const model = fitClusters(rows, { k: 4 });
    // 150 days is half the days' spread; 0.1 in open rate is a tenth of the rates' spread.
    const c = assignCluster(model, [150, 0, 0, 0, 0.1, 0]);
    const centre = model.centroids[c] ?? [];
    expect(centre[4]).toBeCloseTo(0, 9);
  });
});

describe("bad input", () => {
  const row = [10, 1, 2, 3, 0.5, 0.1];

  it("refuses no rows, rows of the wrong width, non-finite values and a k outside 1–20", () => {
    const cases: (() => unknown)[] = [
      () => fitClusters([]),
      () => fitClusters([row, [1, 2, 3]]),
      () => fitClusters([row, [...row, 1]]),
      () => fitClusters([row, [Number.NaN, 1, 2, 3, 0.5, 0.1]]),
      () => fitClusters([row], { k: 0 }),
      () => fitClusters([row], { k: 21 }),
      () => fitClusters([row], { k: 2.5 }),
    ];
    for (const run of cases) {
      let caught: unknown;
      try {
        run();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ClusterInputError);
      expect(caught).toMatchObject({ name: "ClusterInputError", retryable: false });
    }
  });

  it("refuses to assign a row of another width than the model's", () => {
    const model = fitClusters([row, row.map((v) => v * 2)], { k: 2 });
    expect(() => assignCluster(model, [1, 2])).toThrow(ClusterInputError);
  });
});

describe("reseedEmpty", () => {
  it("moves the point farthest from its centre into an empty cluster, never emptying a singleton", () => {
    const points = [[0], [1], [9], [20], [21]];
    const centres = [[3], [20.5], [100]];
    const assignment = [0, 0, 0, 1, 1];
    reseedEmpty(points, centres, assignment);
    // [9] is 6 from its centre, farther than any other point from its own.
    expect(assignment).toEqual([0, 0, 2, 1, 1]);
  });

  it("leaves the assignment alone when no cluster is empty", () => {
    const assignment = [0, 1, 1];
    reseedEmpty([[0], [5], [6]], [[0], [5.5]], assignment);
    expect(assignment).toEqual([0, 1, 1]);
  });
});
