import { z } from "zod";

/** Most clusters a model may have: segment rules name clusters 0 to `MAX_CLUSTERS - 1`. */
export const MAX_CLUSTERS = 20;

/**
 * A fitted k-means model, as stored (plain JSON). Clusters are ordered by value, index 0 the lowest (older last
 * order, fewer orders, less revenue), so indices stay meaningful from one run to the next.
 */
export interface ClusterModel {
  /** Layout version of this object. */
  readonly version: 1;
  /** `FEATURE_VERSION` of the features the model was fitted on. */
  readonly featureVersion: number;
  /** Feature names, in row order (`CLUSTER_FEATURES` when fitted by `fitClusters`). */
  readonly features: readonly string[];
  /** Per feature: the mean the rows were centred on. */
  readonly mean: readonly number[];
  /** Per feature: the standard deviation the rows were divided by (1 for a constant feature). */
  readonly scale: readonly number[];
  /** Per cluster: its centre, in the features' own units. */
  readonly centroids: readonly (readonly number[])[];
  /** Per cluster: how many of the fitted rows it holds. */
  readonly sizes: readonly number[];
  /** Sum of squared distances of the rows to their centres, in standardised units. */
  readonly inertia: number;
  /** Per cluster: its profile in words against the population, e.g. `recent, frequent, high spend, engaged`. */
  readonly labels: readonly string[];
}

const finite = z.number().refine(Number.isFinite, "a finite number");

/** Reads a {@link ClusterModel} back from storage, checking that every per-feature and per-cluster list fits. */
export const clusterModelSchema: z.ZodType<ClusterModel> = z
  .strictObject({
    version: z.literal(1),
    featureVersion: z.int().min(1),
    features: z.array(z.string().min(1)).min(1),
    mean: z.array(finite),
    scale: z.array(finite.refine((n) => n > 0, "a positive scale")),
    centroids: z.array(z.array(finite)).min(1).max(MAX_CLUSTERS),
    sizes: z.array(z.int().min(0)),
    inertia: finite.refine((n) => n >= 0, "inertia is not negative"),
    labels: z.array(z.string()),
  })
  .superRefine((model, ctx) => {
    const width = model.features.length;
    const k = model.centroids.length;
    const expect = (path: (string | number)[], length: number, wanted: number, per: string): void => {
      if (length === wanted) return;
      ctx.addIssue({ code: "custom", path, message: `one per ${per} (${wanted}) expected, got ${length}` });
    };
    expect(["mean"], model.mean.length, width, "feature");
    expect(["scale"], model.scale.length, width, "feature");
    model.centroids.forEach((centroid, i) => {
      expect(["centroids", i], centroid.length, width, "feature");
    });
    expect(["sizes"], model.sizes.length, k, "cluster");
    expect(["labels"], model.labels.length, k, "cluster");
  });
