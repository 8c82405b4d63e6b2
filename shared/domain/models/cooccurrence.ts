/** An item-item co-occurrence recommender: the closest items of each item, and the best sellers. */
export interface CooccurrenceModel {
  /** Product id → its neighbours, best first: `[productId, cosine similarity]`. */
  readonly neighbours: Readonly<Record<string, readonly (readonly [string, number])[]>>;
  /** Product ids by how many baskets hold them, most first. */
  readonly popular: readonly string[];
}

/** Options of {@link trainCooccurrence}. */
export interface CooccurrenceOptions {
  /** Neighbours kept per item. @default 30 */
  readonly neighbours?: number;
  /** Popular items kept. @default 100 */
  readonly popular?: number;
  /** Baskets to rank popularity by (e.g. orders only, for best sellers). @default the training baskets */
  readonly popularFrom?: readonly (readonly string[])[];
}

/**
 * Learns item-item similarity from baskets (the items one customer viewed, carted or bought): the share of
 * baskets holding `i` that also hold `j`, co(i, j) / n(i), an estimate of P(j | i). Each basket counts an item
 * once. (Unlike the cosine, it keeps popular items ahead, which is what purchases follow.)
 */
export function trainCooccurrence(
  baskets: readonly (readonly string[])[],
  options: CooccurrenceOptions = {},
): CooccurrenceModel {
  const { neighbours: keep = 30, popular: keepPopular = 100 } = options;
  const counts = new Map<string, number>();
  const pairs = new Map<string, Map<string, number>>();
  for (const basket of baskets) {
    const items = [...new Set(basket)];
    for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
    for (const a of items) {
      const row = pairs.get(a) ?? new Map<string, number>();
      pairs.set(a, row);
      for (const b of items) if (a !== b) row.set(b, (row.get(b) ?? 0) + 1);
    }
  }
  const neighbours: Record<string, [string, number][]> = {};
  for (const [a, row] of [...pairs].sort(([x], [y]) => compareIds(x, y))) {
    const na = counts.get(a) ?? 1;
    const ranked = [...row]
      .map(([b, co]): [string, number] => [b, round(co / na)])
      .sort(([x, sx], [y, sy]) => sy - sx || compareIds(x, y))
      .slice(0, keep);
    if (ranked.length > 0) neighbours[a] = ranked;
  }
  const popularity = new Map<string, number>();
  for (const basket of options.popularFrom ?? baskets) {
    for (const item of new Set(basket)) popularity.set(item, (popularity.get(item) ?? 0) + 1);
  }
  const popular = [...popularity]
    .sort(([x, cx], [y, cy]) => cy - cx || compareIds(x, y))
    .slice(0, keepPopular)
    .map(([id]) => id);
  return { neighbours, popular };
}

/** What a recommendation is based on. */
export interface RecommendInput {
  /** Items the customer recently interacted with (viewed, carted, bought), most recent first. */
  readonly seeds: readonly string[];
  /** Items never to recommend (already bought, in the cart). */
  readonly exclude?: ReadonlySet<string>;
}

/**
 * Up to `k` items, best first: items by their summed similarity to the seed items (a seed counts as similar
 * to itself with 1, so a product viewed again and again ranks high), then popular items to fill the list.
 * Excluded items are left out; seeds are not, since a viewed product is a fair recommendation.
 */
export function recommendItems(
  model: CooccurrenceModel,
  input: RecommendInput,
  k: number,
): [string, number][] {
  const skip = new Set(input.exclude ?? []);
  const scores = new Map<string, number>();
  for (const seed of new Set(input.seeds)) {
    // An item co-occurs with itself in every basket that holds it: P(i | i) = 1.
    if (!skip.has(seed)) scores.set(seed, (scores.get(seed) ?? 0) + 1);
    for (const [item, score] of model.neighbours[seed] ?? []) {
      if (!skip.has(item)) scores.set(item, (scores.get(item) ?? 0) + score);
    }
  }
  const ranked = [...scores].sort(([x, sx], [y, sy]) => sy - sx || compareIds(x, y)).slice(0, k);
  const chosen = new Set(ranked.map(([id]) => id));
  for (const id of popularItems(
    model,
    { seeds: [], exclude: new Set([...skip, ...chosen]) },
    k - ranked.length,
  )) {
    ranked.push([id, 0]);
  }
  return ranked.map(([id, score]) => [id, round(score)]);
}

/** The popularity baseline: the `k` best sellers the customer is not excluded from. */
export function popularItems(model: CooccurrenceModel, input: RecommendInput, k: number): string[] {
  if (k <= 0) return [];
  const skip = new Set(input.exclude ?? []);
  return model.popular.filter((id) => !skip.has(id)).slice(0, k);
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
