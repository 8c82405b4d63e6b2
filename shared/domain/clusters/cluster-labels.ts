import { CLUSTER_FEATURES, type ClusterFeature } from "./cluster-features.js";

/** Distance from the population mean, in standard deviations, beyond which a cluster is called high or low. */
const NOTABLE = 0.5;

const column = (name: ClusterFeature): number => CLUSTER_FEATURES.indexOf(name);
const RECENCY = column("days_since_last_order");
const ORDERS = column("log_orders");
const REVENUE = column("log_revenue");
const SEEN = column("days_since_last_seen");
const OPENS = column("open_rate");
const CLICKS = column("click_rate");

/** Words for one dimension: above, near and below the population mean. */
type Words = readonly [high: string, near: string, low: string];

/** Per feature: the qualifier of the cluster above and of the one below, to tell two alike clusters apart. */
const QUALIFIERS: readonly (readonly [above: string, below: string])[] = [
  ["older last order", "more recent order"],
  ["more orders", "fewer orders"],
  ["more spend", "less spend"],
  ["seen less lately", "seen more lately"],
  ["more opens", "fewer opens"],
  ["more clicks", "fewer clicks"],
];

function word(z: number, [high, near, low]: Words): string {
  if (z > NOTABLE) return high;
  if (z < -NOTABLE) return low;
  return near;
}

const at = (row: readonly number[], j: number): number => row[j] ?? 0;

/**
 * How valuable a cluster is, from its standardised centre: more revenue, more orders and a more recent last
 * order rank higher.
 */
export function clusterValue(standardised: readonly number[]): number {
  return at(standardised, REVENUE) + at(standardised, ORDERS) - at(standardised, RECENCY);
}

function baseLabel(standardised: readonly number[], centroid: readonly number[]): string {
  const engagement = (at(standardised, OPENS) + at(standardised, CLICKS) - at(standardised, SEEN)) / 3;
  const engaged = word(engagement, ["engaged", "somewhat engaged", "unengaged"]);
  // log_orders is log(1 + orders): below log(1.5) the typical member has no order at all.
  if (at(centroid, ORDERS) < Math.log1p(0.5)) return `never ordered, ${engaged}`;
  return [
    word(-at(standardised, RECENCY), ["recent", "lapsing", "lapsed"]),
    word(at(standardised, ORDERS), ["frequent", "occasional", "one-time"]),
    word(at(standardised, REVENUE), ["high spend", "mid spend", "low spend"]),
    engaged,
  ].join(", ");
}

/** Adds, to each of a group of alike clusters, the way it differs most from the others of the group. */
function qualify(
  group: readonly number[],
  standardised: readonly (readonly number[])[],
  labels: string[],
): void {
  let feature = 0;
  let widest = -1;
  for (let j = 0; j < QUALIFIERS.length; j++) {
    const values = group.map((i) => at(standardised[i] ?? [], j));
    const range = Math.max(...values) - Math.min(...values);
    if (range > widest) {
      widest = range;
      feature = j;
    }
  }
  const mean = group.reduce((sum, i) => sum + at(standardised[i] ?? [], feature), 0) / group.length;
  const [above, below] = QUALIFIERS[feature] ?? ["", ""];
  for (const i of group) {
    labels[i] = `${labels[i] ?? ""}, ${at(standardised[i] ?? [], feature) > mean ? above : below}`;
  }
}

function groupsOfEqual(labels: readonly string[]): number[][] {
  const groups = new Map<string, number[]>();
  labels.forEach((label, i) => {
    groups.set(label, [...(groups.get(label) ?? []), i]);
  });
  return [...groups.values()].filter((group) => group.length > 1);
}

/**
 * One short label per cluster, in words, from its centre against the population mean (standardised centres:
 * 0 is the mean, 1 one standard deviation above), e.g. `recent, frequent, high spend, engaged` or
 * `never ordered, unengaged`. Engagement averages open rate, click rate and how recently the customer was seen.
 * Clusters that would read alike get the way they differ most; any still alike, a number.
 */
export function clusterLabels(
  standardised: readonly (readonly number[])[],
  centroids: readonly (readonly number[])[],
): string[] {
  const labels = standardised.map((z, i) => baseLabel(z, centroids[i] ?? []));
  for (const group of groupsOfEqual(labels)) qualify(group, standardised, labels);
  for (const group of groupsOfEqual(labels)) {
    group.forEach((i, n) => {
      labels[i] = `${labels[i] ?? ""} (${n + 1})`;
    });
  }
  return labels;
}
