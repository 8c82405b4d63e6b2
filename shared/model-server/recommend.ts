import type { RecommenderArtifact } from "./artifacts.js";
import { InvalidInvocationError } from "./errors.js";

/** Most recommendations one request may ask for. */
export const MAX_K = 1000;

/** What the recommender needs from a request `{customer_id, k, recently_viewed, categories}`. */
export interface RecommendationQuery {
  readonly k: number;
  readonly recentlyViewed: readonly string[];
}

/** One recommended product, as the endpoint answers it. */
export interface Recommendation {
  readonly product_id: string;
  readonly score: number;
}

/** Reads and checks a recommender request; `categories` and `customer_id` are accepted and not used. */
export function parseRecommendationQuery(value: unknown): RecommendationQuery {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InvalidInvocationError('expected {"k": n, "recently_viewed": [product ids], …}');
  const k: unknown = Reflect.get(value, "k");
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1 || k > MAX_K)
    throw new InvalidInvocationError(`"k" must be an integer from 1 to ${MAX_K}`);
  const viewed: unknown = Reflect.get(value, "recently_viewed") ?? [];
  if (!Array.isArray(viewed) || !viewed.every((id: unknown) => typeof id === "string"))
    throw new InvalidInvocationError('"recently_viewed" must be an array of product ids');
  return { k, recentlyViewed: viewed.filter((id: unknown): id is string => typeof id === "string") };
}

/**
 * The `k` best products for someone who recently viewed `recentlyViewed`: neighbour scores summed over the
 * viewed products, best first (ties by id, so answers are stable), never a viewed product, topped up from
 * `popular` (score 0) when the neighbours run out.
 */
export function recommend(model: RecommenderArtifact, query: RecommendationQuery): Recommendation[] {
  const viewed = new Set(query.recentlyViewed);
  const scores = new Map<string, number>();
  for (const id of viewed) {
    for (const [neighbour, score] of model.neighbours[id] ?? []) {
      if (!viewed.has(neighbour)) scores.set(neighbour, (scores.get(neighbour) ?? 0) + score);
    }
  }
  const ranked: Recommendation[] = [...scores]
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .slice(0, query.k)
    .map(([product_id, score]) => ({ product_id, score }));
  const taken = new Set(ranked.map((r) => r.product_id));
  for (const id of model.popular) {
    if (ranked.length >= query.k) break;
    if (viewed.has(id) || taken.has(id)) continue;
    taken.add(id);
    ranked.push({ product_id: id, score: 0 });
  }
  return ranked;
}
