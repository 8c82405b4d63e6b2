/** A row centred on `mean` and divided by `scale`, feature by feature. */
export function standardise(
  row: readonly number[],
  mean: readonly number[],
  scale: readonly number[],
): number[] {
  return row.map((value, j) => (value - (mean[j] ?? 0)) / (scale[j] ?? 1));
}

/** Squared Euclidean distance between two rows of the same width. */
export function squaredDistance(a: readonly number[], b: readonly number[]): number {
  let sum = 0;
  for (let j = 0; j < a.length; j++) {
    const d = (a[j] ?? 0) - (b[j] ?? 0);
    sum += d * d;
  }
  return sum;
}

/** Index of the centre nearest to `point` (the lowest index on a tie). */
export function nearest(point: readonly number[], centres: readonly (readonly number[])[]): number {
  let best = 0;
  let bestDistance = Number.POSITIVE_INFINITY;
  centres.forEach((centre, i) => {
    const distance = squaredDistance(point, centre);
    if (distance < bestDistance) {
      best = i;
      bestDistance = distance;
    }
  });
  return best;
}
