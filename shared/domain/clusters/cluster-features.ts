import { FEATURE_VERSION, type ProfileFeatures, profileFeatures } from "../features/index.js";
import type { Profile } from "../profile/index.js";
import type { ClusterModel } from "./cluster-model.js";
import { ClusterInputError } from "./errors.js";

/**
 * The features customers are clustered on, by their names in `FEATURE_NAMES`: recency, frequency and monetary
 * value, then engagement (site and email). Picked from {@link profileFeatures}, so clusters see exactly the
 * numbers the models see.
 */
export const CLUSTER_FEATURES = [
  "days_since_last_order",
  "log_orders",
  "log_revenue",
  "days_since_last_seen",
  "open_rate",
  "click_rate",
] as const;

/** One of {@link CLUSTER_FEATURES}. */
export type ClusterFeature = (typeof CLUSTER_FEATURES)[number];

/** The cluster features (in {@link CLUSTER_FEATURES} order) out of features already computed for the profile. */
export function clusterFeaturesFrom(features: ProfileFeatures): number[] {
  return CLUSTER_FEATURES.map((name) => {
    const value = features.values[features.names.indexOf(name)];
    if (value === undefined) {
      throw new ClusterInputError(`feature ${name} is missing from feature version ${features.version}`);
    }
    return value;
  });
}

/** The cluster features of a profile at `now` (epoch ms), in {@link CLUSTER_FEATURES} order. */
export function clusterFeatures(profile: Profile, now: number): number[] {
  return clusterFeaturesFrom(profileFeatures(profile, now));
}

/**
 * Whether a stored model was fitted on the features {@link clusterFeatures} computes today (same feature version,
 * same names in the same order); a model that is not should be refitted before profiles are assigned with it.
 */
export function matchesClusterFeatures(model: ClusterModel): boolean {
  return (
    model.featureVersion === FEATURE_VERSION &&
    model.features.length === CLUSTER_FEATURES.length &&
    CLUSTER_FEATURES.every((name, j) => model.features[j] === name)
  );
}
