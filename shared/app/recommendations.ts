import { affinityAt, type BOUGHT_PRODUCTS_MAX, type Profile } from "../domain/profile/index.js";
import type { Catalog, CatalogProduct, Recommender } from "../ports.js";

/** Where the recommendations came from. */
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
  return new Set([
    ...(profile.bp ?? []),
    ...(profile.pc ?? []).filter((activity) => (activity.oc ?? "") !== "").map((activity) => activity.i),
  ]);
}

/**
 * Up to `limit` products for a customer: the model's picks first, then best sellers of the customer's favourite
 * category, then best sellers overall. Out-of-stock products, products the customer bought, and `exclude`
 * (e.g. what is in the cart) are left out, and no product appears twice. A model that fails or times out is
 * not an error: the fallbacks fill the list and `modelError` says why.
 */
export async function recommendProducts(
  deps: RecommendationDeps,
  profile: Profile,
  options: { readonly limit: number; readonly now: number; readonly exclude?: Iterable<string> },
): Promise<Recommendations> {
  const excluded = new Set([...boughtProducts(profile), ...(options.exclude ?? [])]);
  const chosen: CatalogProduct[] = [];
  const take = (products: Iterable<CatalogProduct>): number => {
    let taken = 0;
    for (const product of products) {
      if (chosen.length >= options.limit) break;
      if (!product.inStock || excluded.has(product.productId)) continue;
      chosen.push(product);
      excluded.add(product.productId);
      taken++;
    }
    return taken;
  };

  let model = 0;
  let modelError: string | undefined;
  if (deps.recommender !== undefined && options.limit > 0) {
    try {
      const ids = await deps.recommender.recommend({
        customerId: profile.customerId,
        profile,
        limit: options.limit,
      });
      const found = await deps.catalog.getMany(ids);
      model = take(ids.flatMap((id) => found.get(id) ?? []));
    } catch (error) {
      modelError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }
  let category = 0;
  const favourite = affinityAt(profile, options.now)[0]?.category;
  if (chosen.length < options.limit && favourite !== undefined) {
    category = take(
      await deps.catalog.bestSellers({
        category: favourite,
        limit: options.limit - chosen.length,
        exclude: excluded,
      }),
    );
  }
  let overall = 0;
  if (chosen.length < options.limit) {
    overall = take(
      await deps.catalog.bestSellers({ limit: options.limit - chosen.length, exclude: excluded }),
    );
  }
  return {
    products: chosen,
    sources: { model, category, overall },
    ...(modelError === undefined ? {} : { modelError }),
  };
}
