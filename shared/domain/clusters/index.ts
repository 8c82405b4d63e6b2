/**
 * Customer clusters: k-means over recency, frequency, monetary value and engagement, fitted in batch on a sample
 * of profiles and stored as JSON; every profile is then assigned to its nearest cluster (`Profile.cl`), which
 * segment rules read (`cluster: { in: [3, 4] }`). Pure: no I/O, no clock.
 */
export { assignCluster } from "./assign-cluster.js";
export {
  CLUSTER_FEATURES,
  type ClusterFeature,
  clusterFeatures,
  clusterFeaturesFrom,
  matchesClusterFeatures,
} from "./cluster-features.js";
export { clusterLabels, clusterValue } from "./cluster-labels.js";
export { type ClusterModel, clusterModelSchema, MAX_CLUSTERS } from "./cluster-model.js";
export { ClusterInputError } from "./errors.js";
export { type ClusterOptions, fitClusters } from "./fit-clusters.js";
