import { normalDraw, seededRandom } from "#shared/domain/experiments/index.js";

/** A planted group of customers: the centre of its cluster features and the spread around it. */
export interface Blob {
  readonly centre: readonly number[];
  readonly spread: readonly number[];
}

/**
 * Five well separated groups in the cluster features' units (days since last order, log orders, log revenue,
 * days since last seen, open rate, click rate), listed from the least to the most valuable.
 */
export const PLANTED: readonly Blob[] = [
  { centre: [365, 0, 0, 200, 0.02, 0.0], spread: [0, 0, 0, 20, 0.01, 0.005] },
  { centre: [300, 0.7, 3, 150, 0.1, 0.02], spread: [15, 0.05, 0.2, 15, 0.03, 0.01] },
  { centre: [150, 1.1, 4, 60, 0.3, 0.05], spread: [15, 0.05, 0.2, 10, 0.04, 0.01] },
  { centre: [40, 1.8, 5.5, 10, 0.5, 0.15], spread: [8, 0.08, 0.2, 3, 0.04, 0.02] },
  { centre: [5, 2.8, 7.5, 2, 0.8, 0.4], spread: [2, 0.1, 0.2, 1, 0.04, 0.03] },
];

/** `perBlob` seeded Gaussian rows around each blob's centre, shuffled, with the blob each came from. */
export function plantedRows(
  blobs: readonly Blob[],
  perBlob: number,
  seed: number,
): { rows: number[][]; truth: number[] } {
  const random = seededRandom(seed);
  const labelled = blobs.flatMap((blob, b) =>
    Array.from({ length: perBlob }, () => ({
      b,
      row: blob.centre.map((c, j) => c + (blob.spread[j] ?? 0) * normalDraw(random)),
    })),
  );
  for (let i = labelled.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const a = labelled[i];
    const b = labelled[j];
    if (a === undefined || b === undefined) throw new Error("index out of range");
    labelled[i] = b;
    labelled[j] = a;
  }
  return { rows: labelled.map(({ row }) => row), truth: labelled.map(({ b }) => b) };
}

/** Share of rows whose cluster's majority planted group is their own group. */
export function purity(clusters: readonly number[], truth: readonly number[]): number {
  const counts = new Map<number, Map<number, number>>();
  clusters.forEach((c, i) => {
    const byTruth = counts.get(c) ?? new Map<number, number>();
    const t = truth[i] ?? -1;
    byTruth.set(t, (byTruth.get(t) ?? 0) + 1);
    counts.set(c, byTruth);
  });
  let majority = 0;
  for (const byTruth of counts.values()) majority += Math.max(...byTruth.values());
  return majority / clusters.length;
}
