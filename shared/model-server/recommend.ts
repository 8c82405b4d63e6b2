import { type RecommendInput, recommendItems, type WeightedSeed } from "../domain/models/cooccurrence.js";
import {
  type CategoryAffinity,
  SEEDS_MAX,
  type SignalKind,
  VIEW_RANK_DECAY,
} from "../domain/models/seeds.js";
import type { RecommenderArtifact } from "./artifacts.js";
import { InvalidInvocationError } from "./errors.js";

/** Most recommendations one request may ask for. */
export const MAX_K = 1000;

/** What the recommender reads from a request (see {@link parseRecommendationQuery}). */
export interface RecommendationQuery extends RecommendInput {
  readonly k: number;
}

/** One recommended product, as the endpoint answers it. */
export interface Recommendation {
  readonly product_id: string;
  readonly score: number;
}

const KINDS: ReadonlySet<string> = new Set<SignalKind>(["view", "cart", "purchase"]);

function field(value: object, name: string): unknown {
  return Reflect.get(value, name);
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `seeds`: `[{"product_id", "kind", "weight"}]`, at most {@link SEEDS_MAX} read. */
function parseSeeds(value: unknown): WeightedSeed[] {
  if (!Array.isArray(value)) throw new InvalidInvocationError('"seeds" must be an array');
  return value.slice(0, SEEDS_MAX).map((seed: unknown, i) => {
    const id = isObject(seed) ? field(seed, "product_id") : undefined;
    const kind = isObject(seed) ? field(seed, "kind") : undefined;
    const weight = isObject(seed) ? field(seed, "weight") : undefined;
    if (typeof id !== "string" || typeof kind !== "string" || !KINDS.has(kind))
      throw new InvalidInvocationError(
        `"seeds[${i}]" must be {"product_id": text, "kind": "view" | "cart" | "purchase", "weight": number}`,
      );
    if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0)
      throw new InvalidInvocationError(`"seeds[${i}].weight" must be a number ≥ 0`);
    return {
      productId: id,
      kind: kind === "cart" ? "cart" : kind === "purchase" ? "purchase" : "view",
      weight,
    };
  });
}

/** `category_affinity`: `[{"category", "score"}]`. */
function parseAffinity(value: unknown): CategoryAffinity[] {
  if (!Array.isArray(value)) throw new InvalidInvocationError('"category_affinity" must be an array');
  return value.map((entry: unknown, i) => {
    const category = isObject(entry) ? field(entry, "category") : undefined;
    const score = isObject(entry) ? field(entry, "score") : undefined;
    if (typeof category !== "string" || typeof score !== "number" || !Number.isFinite(score))
      throw new InvalidInvocationError(
        `"category_affinity[${i}]" must be {"category": text, "score": number}`,
      );
    return { category, score };
  });
}

function stringList(value: unknown, name: string): string[] {
  if (!Array.isArray(value) || !value.every((id: unknown) => typeof id === "string"))
    throw new InvalidInvocationError(`"${name}" must be an array of strings`);
  return value.filter((id: unknown): id is string => typeof id === "string");
}

/**
 * Reads and checks a recommender request: `{"customer_id", "k", "seeds", "category_affinity"}` (what
 * `SageMakerRecommender` sends). A request without `seeds` (an older client) is read from `recently_viewed`
 * (views, newest first, each {@link VIEW_RANK_DECAY} times the one before), one without `category_affinity` from
 * `categories` (favourite first, scores 1, ½, ⅓, …). `customer_id` is accepted and not used.
 */
export function parseRecommendationQuery(value: unknown): RecommendationQuery {
  if (!isObject(value)) throw new InvalidInvocationError('expected {"k": n, "seeds": [...], …}');
  const k = field(value, "k");
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1 || k > MAX_K)
    throw new InvalidInvocationError(`"k" must be an integer from 1 to ${MAX_K}`);
  const seeds = field(value, "seeds");
  const affinity = field(value, "category_affinity");
  return {
    k,
    seeds:
      seeds === undefined
        ? stringList(field(value, "recently_viewed") ?? [], "recently_viewed").map((productId, rank) => ({
            productId,
            kind: "view",
            weight: VIEW_RANK_DECAY ** rank,
          }))
        : parseSeeds(seeds),
    affinity:
      affinity === undefined
        ? stringList(field(value, "categories") ?? [], "categories").map((category, rank) => ({
            category,
            score: 1 / (rank + 1),
          }))
        : parseAffinity(affinity),
  };
}

/**
 * The `k` best products for a customer (`recommendItems`: each seed's neighbours weighted by the seed, category
 * affinity, then best sellers to fill).
 */
export function recommend(model: RecommenderArtifact, query: RecommendationQuery): Recommendation[] {
  return recommendItems(model, query, query.k).map(([product_id, score]) => ({
    product_id,
    score,
  }));
}
