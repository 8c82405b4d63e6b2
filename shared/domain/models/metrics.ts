/**
 * ROC-AUC by the Mann–Whitney statistic: the probability that a random positive scores above a random
 * negative, ties counting one half (mid-ranks). NaN when there are no positives or no negatives.
 */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores
    .map((score, i) => ({ score, positive: labels[i] === 1 }))
    .sort((a, b) => a.score - b.score);
  let positives = 0;
  let rankSum = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1]?.score === order[start]?.score) end++;
    const midRank = (start + end + 2) / 2; // ranks are 1-based
    for (let i = start; i <= end; i++) {
      if (order[i]?.positive === true) {
        positives++;
        rankSum += midRank;
      }
    }
    start = end + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return Number.NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Average precision (area under the precision–recall curve as a step function): Σ over score thresholds,
 * highest first, of (recall gained) × (precision at that threshold). Tied scores form one threshold.
 * NaN when there are no positives.
 */
export function averagePrecision(scores: readonly number[], labels: readonly number[]): number {
  const order = scores
    .map((score, i) => ({ score, positive: labels[i] === 1 }))
    .sort((a, b) => b.score - a.score);
  const positives = order.filter((row) => row.positive).length;
  if (positives === 0) return Number.NaN;
  let seen = 0;
  let hits = 0;
  let ap = 0;
  for (let start = 0; start < order.length; ) {
    let gained = 0;
    let end = start;
    while (end < order.length && order[end]?.score === order[start]?.score) {
      if (order[end]?.positive === true) gained++;
      end++;
    }
    seen += end - start;
    hits += gained;
    ap += (gained / positives) * (hits / seen);
    start = end;
  }
  return ap;
}

/** One calibration bin: predictions in [`from`, `to`). */
export interface CalibrationBin {
  readonly from: number;
  readonly to: number;
  readonly count: number;
  /** Mean predicted probability in the bin (NaN when empty). */
  readonly meanPredicted: number;
  /** Share of positives in the bin (NaN when empty). */
  readonly observed: number;
}

/** Calibration table: `bins` equal-width bins over [0, 1] (the last one includes 1). */
export function calibration(
  scores: readonly number[],
  labels: readonly number[],
  bins = 10,
): CalibrationBin[] {
  const sums = Array.from({ length: bins }, () => ({ count: 0, predicted: 0, positives: 0 }));
  scores.forEach((score, i) => {
    const bin = sums[Math.min(bins - 1, Math.max(0, Math.floor(score * bins)))];
    if (bin === undefined) return;
    bin.count++;
    bin.predicted += score;
    if (labels[i] === 1) bin.positives++;
  });
  return sums.map((bin, i) => ({
    from: i / bins,
    to: (i + 1) / bins,
    count: bin.count,
    meanPredicted: bin.count === 0 ? Number.NaN : bin.predicted / bin.count,
    observed: bin.count === 0 ? Number.NaN : bin.positives / bin.count,
  }));
}

/** Mean squared error of probabilities against 0/1 outcomes (NaN when empty). */
export function brierScore(scores: readonly number[], labels: readonly number[]): number {
  if (scores.length === 0) return Number.NaN;
  return scores.reduce((sum, score, i) => sum + (score - (labels[i] ?? 0)) ** 2, 0) / scores.length;
}

/** Precision and recall of one top-k list against the relevant items. */
export interface RankingScore {
  readonly precision: number;
  readonly recall: number;
}

/**
 * Precision@k (hits among the first `k` recommendations, divided by `k`) and recall@k (hits divided by the
 * number of relevant items; 0 when there are none).
 */
export function precisionRecallAtK(
  recommended: readonly string[],
  relevant: ReadonlySet<string>,
  k: number,
): RankingScore {
  const hits = recommended.slice(0, k).filter((id) => relevant.has(id)).length;
  return { precision: k > 0 ? hits / k : 0, recall: relevant.size > 0 ? hits / relevant.size : 0 };
}

/** One customer's recommendation list and what they went on to buy. */
export interface ScoredList {
  readonly recommended: readonly string[];
  /** The products that count as hits (bought later, not bought before). */
  readonly relevant: ReadonlySet<string>;
}

/** How a recommender did over a population. */
export interface ListReport {
  /** Customers with a list. */
  readonly lists: number;
  /** Customers with at least one relevant product: precision and recall are means over them. */
  readonly scored: number;
  /** Mean {@link precisionRecallAtK} precision over the scored customers (NaN when none). */
  readonly precision: number;
  /** Mean recall over the scored customers (NaN when none). */
  readonly recall: number;
  /** Share of `products` recommended to at least one customer (NaN when `products` is empty). */
  readonly coverage: number;
  /** Distinct lists (the same products in the same order) over lists (NaN when there are none). */
  readonly distinctShare: number;
}

/**
 * Precision@k and recall@k (means over customers with something relevant), catalog coverage (the share of
 * `products`, e.g. those in stock, that appear in anyone's first `k`) and the share of distinct lists.
 */
export function listReport(
  lists: readonly ScoredList[],
  products: ReadonlySet<string>,
  k: number,
): ListReport {
  let scored = 0;
  let precision = 0;
  let recall = 0;
  const shown = new Set<string>();
  const distinct = new Set<string>();
  for (const list of lists) {
    const top = list.recommended.slice(0, k);
    for (const id of top) if (products.has(id)) shown.add(id);
    distinct.add(JSON.stringify(top));
    if (list.relevant.size === 0) continue;
    const score = precisionRecallAtK(top, list.relevant, k);
    scored++;
    precision += score.precision;
    recall += score.recall;
  }
  const mean = (sum: number, n: number) => (n === 0 ? Number.NaN : sum / n);
  return {
    lists: lists.length,
    scored,
    precision: mean(precision, scored),
    recall: mean(recall, scored),
    coverage: mean(shown.size, products.size),
    distinctShare: mean(distinct.size, lists.length),
  };
}
