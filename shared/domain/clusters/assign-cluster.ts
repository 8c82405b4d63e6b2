import type { ClusterModel } from "./cluster-model.js";
import { ClusterInputError } from "./errors.js";
import { nearest, standardise } from "./standardise.js";

/**
 * The cluster (index into `model.centroids`) whose centre is nearest to the row, measured in standardised units
 * as when the model was fitted; the lower index on a tie.
 *
 * @throws {ClusterInputError} the row's width is not the model's.
 */
export function assignCluster(model: ClusterModel, row: readonly number[]): number {
  if (row.length !== model.features.length)
    throw new ClusterInputError(`row has ${row.length} features; the model has ${model.features.length}`);
  const centres = model.centroids.map((centroid) => standardise(centroid, model.mean, model.scale));
  return nearest(standardise(row, model.mean, model.scale), centres);
}
