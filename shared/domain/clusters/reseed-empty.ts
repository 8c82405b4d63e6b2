import { squaredDistance } from "./standardise.js";

/**
 * Gives each empty cluster the point farthest from its own centre, taken from a cluster of 2 or more, so Lloyd's
 * iterations keep `k` clusters. Changes `assignment` in place.
 */
export function reseedEmpty(
  points: readonly (readonly number[])[],
  centres: readonly (readonly number[])[],
  assignment: number[],
): void {
  const sizes = new Array<number>(centres.length).fill(0);
  for (const c of assignment) sizes[c] = (sizes[c] ?? 0) + 1;
  sizes.forEach((size, empty) => {
    if (size > 0) return;
    let farthest = -1;
    let farthestDistance = -1;
    points.forEach((point, i) => {
      const own = assignment[i] ?? 0;
      if ((sizes[own] ?? 0) < 2) return;
      const distance = squaredDistance(point, centres[own] ?? []);
      if (distance > farthestDistance) {
        farthest = i;
        farthestDistance = distance;
      }
    });
    if (farthest < 0) return;
    const own = assignment[farthest] ?? 0;
    sizes[own] = (sizes[own] ?? 0) - 1;
    sizes[empty] = 1;
    assignment[farthest] = empty;
  });
}
