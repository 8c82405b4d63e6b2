import { personalSignals } from "../domain/models/seeds.js";
import { affinityAt, type BOUGHT_PRODUCTS_MAX, boughtAt, type Profile } from "../domain/profile/index.js";
import type { Catalog, CatalogProduct, Recommender } from "../ports.js";
import type { RecommendationsBasis } from "../render/render-context.js";
import { RecommendationPicker, type RecommendationSource } from "./recommendation-rules.js";

/** How many products the recommendations came from, per source. */
export interface RecommendationSources {
  /** From the model. */
  readonly model: number;
  /** Best sellers of the customer's favourite category. */
  readonly category: number;
  /** Best sellers overall. */
  readonly overall: number;
}

/** Products to show, best first, with where they came from. */
export interface Recommendations {
  readonly products: readonly CatalogProduct[];
  readonly sources: RecommendationSources;
  /** What the list as a whole came from (the context's `recommendations_basis`). */
  readonly basis: RecommendationsBasis;
  /** The currency the products were chosen for (the customer's), when known: show prices in it. */
  readonly currency?: string;
  /** Why the model was not (fully) used: its error, when it failed. */
  readonly modelError?: string;
}

/** What {@link recommendProducts} needs. */
export interface RecommendationDeps {
  readonly catalog: Catalog;
  /** The model; without one, only the fallbacks are used. */
  readonly recommender?: Recommender;
}

/** Products the customer bought: the last {@link BOUGHT_PRODUCTS_MAX} remembered, plus any in the recent activity. */
export function boughtProducts(profile: Profile): Set<string> {
  return new Set(boughtAt(profile).keys());
}

/** The customer's currency: that of their orders, else of their cart; undefined when neither is known. */
export function customerCurrency(profile: Profile): string | undefined {
  return profile.o?.c ?? profile.ct?.c;
}

/** The model is asked for this many times the products wanted, so the rules can drop some and still fill the list. */
const OVERFETCH = 3;

/**
 * Up to `limit` products for a customer: the model's picks first (a personal ranking from what the customer
 * viewed, carted and bought, and their category affinity), then best sellers of the customer's favourite
 * category, then best sellers overall. Every product passes the rules of {@link RecommendationPicker}: in stock,
 * not bought (unless replenishable and due again), not in `exclude` (e.g. the cart), sold in the customer's
 * currency, at most ⌈limit / 2⌉ per category; no product appears twice. A model that fails or times out is not
 * an error: the fallbacks fill the list and `modelError` says why.
 */
export async function recommendProducts(
  deps: RecommendationDeps,
  profile: Profile,
  options: { readonly limit: number; readonly now: number; readonly exclude?: Iterable<string> },
): Promise<Recommendations> {
  const bought = boughtAt(profile);
  const currency = customerCurrency(profile);
  const picker = new RecommendationPicker({
    limit: options.limit,
    now: options.now,
    bought,
    ...(currency === undefined ? {} : { currency }),
    ...(options.exclude === undefined ? {} : { exclude: options.exclude }),
  });
  let modelError: string | undefined;
  if (deps.recommender !== undefined && options.limit > 0) {
    try {
      const ids = await deps.recommender.recommend({
        customerId: profile.customerId,
        profile,
        limit: Math.min(MAX_REQUEST, options.limit * OVERFETCH + bought.size),
      });
      const found = await deps.catalog.getMany(ids);
      picker.offer(
        ids.flatMap((id) => found.get(id) ?? []),
        "model",
      );
    } catch (error) {
      modelError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }
  const favourite = affinityAt(profile, options.now)[0]?.category;
  if (!picker.full && favourite !== undefined) {
    picker.offer(
      await deps.catalog.bestSellers({
        category: favourite,
        limit: picker.missing + bought.size,
        exclude: picker.taken,
      }),
      "category",
    );
  }
  if (!picker.full) {
    picker.offer(
      await deps.catalog.bestSellers({ limit: picker.missing + bought.size, exclude: picker.taken }),
      "overall",
    );
  }
  const list = picker.finish();
  const count = (source: RecommendationSource) => list.filter((entry) => entry.source === source).length;
  const sources = { model: count("model"), category: count("category"), overall: count("overall") };
  return {
    products: list.map((entry) => entry.product),
    sources,
    basis: basisOf(profile, options.now, sources),
    ...(currency === undefined ? {} : { currency }),
    ...(modelError === undefined ? {} : { modelError }),
  };
}

/** Most products one model request asks for. */
const MAX_REQUEST = 100;

/**
 * What a list came from: `order` when the model chose most of it and the customer's strongest signal is a
 * product of their latest order; `activity` when the model chose most of it from other signals; `interests` when
 * the model had only category affinity to go on, or the favourite category's best sellers filled most of it;
 * `popular` otherwise.
 */
export function basisOf(profile: Profile, now: number, sources: RecommendationSources): RecommendationsBasis {
  const total = sources.model + sources.category + sources.overall;
  const { seeds, affinity } = personalSignals(profile, now);
  if (total > 0 && sources.model * 2 >= total) {
    const strongest = seeds[0];
    if (strongest === undefined) return affinity.length > 0 ? "interests" : "popular";
    const lastOrder = profile.o?.l;
    const fromOrder =
      strongest.kind === "purchase" &&
      lastOrder !== undefined &&
      boughtAt(profile).get(strongest.productId) === lastOrder;
    return fromOrder ? "order" : "activity";
  }
  return total > 0 && sources.category * 2 >= total ? "interests" : "popular";
}
