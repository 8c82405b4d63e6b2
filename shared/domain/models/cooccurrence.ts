import type { CategoryAffinity, SignalKind } from "./seeds.js";

/** An item-item co-occurrence recommender: the closest items of each item, and the best sellers. */
export interface CooccurrenceModel {
  /** Product id → its neighbours, best first: `[productId, similarity]` (see {@link CooccurrenceOptions.damping}). */
  readonly neighbours: Readonly<Record<string, readonly (readonly [string, number])[]>>;
  /** Product ids by how many baskets hold them, most first. */
  readonly popular: readonly string[];
  /**
   * Category → its best sellers, best first (the category affinity term). Absent from artifacts trained before
   * it existed: recommendations then use seeds and overall best sellers only.
   */
  readonly popularByCategory?: Readonly<Record<string, readonly string[]>>;
}

/** Options of {@link trainCooccurrence}. */
export interface CooccurrenceOptions {
  /** Neighbours kept per item. @default 30 */
  readonly neighbours?: number;
  /** Popular items kept. @default 100 */
  readonly popular?: number;
  /** Best sellers kept per category. @default 20 */
  readonly popularPerCategory?: number;
  /**
   * Items given a row of neighbours at most: those in the most baskets (ties by id), so the table's size is
   * bounded by `items` × `neighbours` whatever the catalog. @default unbounded
   */
  readonly items?: number;
  /** Baskets to rank popularity by (e.g. orders only, for best sellers). @default the training baskets */
  readonly popularFrom?: readonly (readonly string[])[];
  /** Each product's category, for {@link CooccurrenceModel.popularByCategory}. @default none */
  readonly categoryOf?: ReadonlyMap<string, string>;
  /**
   * How much a neighbour's own popularity is discounted, α in [0, 1]: similarity(i, j) = co(i, j) / (n(i)^(1−α)
   * · n(j)^α). 0 is P(j | i), which ranks the best sellers first for every item (everyone gets the same list);
   * 0.5 is the cosine. @default {@link DEFAULT_DAMPING}
   */
  readonly damping?: number;
}

/** The damping the hold-out evaluation chose (see docs/recommendations.md). */
export const DEFAULT_DAMPING = 0.75;

/**
 * Learns item-item similarity from baskets (the items one customer viewed, carted or bought): co(i, j), the
 * baskets holding both, over n(i)^(1−α) · n(j)^α (α = {@link CooccurrenceOptions.damping}). Each basket counts an
 * item once.
 */
export function trainCooccurrence(
  baskets: readonly (readonly string[])[],
  options: CooccurrenceOptions = {},
): CooccurrenceModel {
  const { neighbours: keep = 30, popular: keepPopular = 100, damping = DEFAULT_DAMPING } = options;
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
  const rows = [...pairs];
  const kept =
    options.items === undefined || rows.length <= options.items
      ? rows
      : rows
          .sort(([x], [y]) => (counts.get(y) ?? 0) - (counts.get(x) ?? 0) || compareIds(x, y))
          .slice(0, Math.max(0, options.items));
  for (const [a, row] of kept.sort(([x], [y]) => compareIds(x, y))) {
    const na = counts.get(a) ?? 1;
    const ranked = [...row]
      .map(([b, co]): [string, number] => [
        b,
        round(co / (na ** (1 - damping) * (counts.get(b) ?? 1) ** damping)),
      ])
      .sort(([x, sx], [y, sy]) => sy - sx || compareIds(x, y))
      .slice(0, keep);
    if (ranked.length > 0) neighbours[a] = ranked;
  }
  const popularity = new Map<string, number>();
  for (const basket of options.popularFrom ?? baskets) {
    for (const item of new Set(basket)) popularity.set(item, (popularity.get(item) ?? 0) + 1);
  }
  const ranked = [...popularity].sort(([x, cx], [y, cy]) => cy - cx || compareIds(x, y)).map(([id]) => id);
  const model = { neighbours, popular: ranked.slice(0, keepPopular) };
  if (options.categoryOf === undefined) return model;
  const byCategory: Record<string, string[]> = {};
  for (const id of ranked) {
    const category = options.categoryOf.get(id);
    if (category === undefined) continue;
    const list = Object.hasOwn(byCategory, category) ? byCategory[category] : undefined;
    if (list === undefined) byCategory[category] = [id];
    else if (list.length < (options.popularPerCategory ?? 20)) list.push(id);
  }
  return { ...model, popularByCategory: byCategory };
}

/** A product a recommendation starts from, and how much it counts (see `personalSignals`). */
export interface WeightedSeed {
  readonly productId: string;
  readonly kind: SignalKind;
  readonly weight: number;
}

/** What a recommendation is based on. */
export interface RecommendInput {
  /** What the customer viewed, carted and bought, weighted by signal and recency. */
  readonly seeds: readonly WeightedSeed[];
  /** Category affinity, strongest first. */
  readonly affinity?: readonly CategoryAffinity[];
  /** Items never to recommend. */
  readonly exclude?: ReadonlySet<string>;
}

/**
 * Weight of the category affinity term against the seeds' (whose weights sum to 1): the best seller of the
 * only category a customer likes counts as much as all their seeds together. Chosen on the hold-out (see
 * docs/recommendations.md): 0 → precision@10 0.121, 1 → 0.131, with coverage 0.59 → 0.55.
 */
export const CATEGORY_WEIGHT = 1;

/**
 * Up to `k` items, best first, personal to the customer:
 * 1. each seed itself and its neighbours, by similarity (1 for itself) × the seed's share of the seeds' total
 *    weight: what the customer viewed or carted is a fair recommendation, and a bought product can come back
 *    when it is replenishable (the caller filters what was bought);
 * 2. plus, per category the customer likes, {@link CATEGORY_WEIGHT} × the category's share of the affinity ÷
 *    the product's rank among the category's best sellers;
 * 3. then, only to fill the list, the best sellers overall (score 0).
 * Excluded items are left out; ties go by id, so the answer is stable.
 */
export function recommendItems(
  model: CooccurrenceModel,
  input: RecommendInput,
  k: number,
): [string, number][] {
  const skip = new Set(input.exclude ?? []);
  const scores = new Map<string, number>();
  const add = (id: string, score: number) => {
    if (!skip.has(id)) scores.set(id, (scores.get(id) ?? 0) + score);
  };
  const total = input.seeds.reduce((sum, seed) => sum + Math.max(0, seed.weight), 0);
  for (const seed of input.seeds) {
    if (seed.weight <= 0) continue;
    const share = seed.weight / total;
    // A seed co-occurs with itself in every basket that holds it: what a customer keeps looking at ranks high.
    add(seed.productId, share);
    for (const [item, similarity] of model.neighbours[seed.productId] ?? []) add(item, share * similarity);
  }
  const affinity = (input.affinity ?? []).filter((entry) => entry.score > 0);
  const affinityTotal = affinity.reduce((sum, entry) => sum + entry.score, 0);
  for (const { category, score } of affinity) {
    const sellers = model.popularByCategory?.[category] ?? [];
    sellers.forEach((id, rank) => {
      add(id, (CATEGORY_WEIGHT * score) / affinityTotal / (rank + 1));
    });
  }
  const ranked = [...scores].sort(([x, sx], [y, sy]) => sy - sx || compareIds(x, y)).slice(0, k);
  const chosen = new Set(ranked.map(([id]) => id));
  for (const id of popularItems(model, { exclude: new Set([...skip, ...chosen]) }, k - ranked.length)) {
    ranked.push([id, 0]);
  }
  return ranked.map(([id, score]) => [id, round(score)]);
}

/** The popularity baseline: the `k` best sellers the customer is not excluded from, each once. */
export function popularItems(
  model: CooccurrenceModel,
  input: { readonly exclude?: ReadonlySet<string> },
  k: number,
): string[] {
  if (k <= 0) return [];
  const skip = new Set(input.exclude ?? []);
  const picked: string[] = [];
  for (const id of model.popular) {
    if (picked.length >= k) break;
    if (skip.has(id)) continue;
    skip.add(id);
    picked.push(id);
  }
  return picked;
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
