import type { JourneyTrigger } from "../domain/campaigns/contracts.js";
import {
  type CatalogChange,
  type ChosenContent,
  CONTENT_BLOCK_MAX,
  chooseContent,
  contentInterests,
} from "../domain/catalog/index.js";
import type { Profile } from "../domain/profile/index.js";
import type { ModelScore } from "../domain/segments/contracts.js";
import type { Catalog, ContentLibrary, Recommender } from "../ports.js";
import { buildRenderContext } from "../render/build-context.js";
import { resolveLocale } from "../render/intl-cache.js";
import type { RenderContext, ShopView } from "../render/render-context.js";
import type { LinkSettings } from "../render/signed-links.js";
import { triggerProductIds } from "../render/trigger-view.js";
import { type Recommendations, recommendProducts } from "./recommendations.js";

/** What {@link prepareEmailContext} needs. */
export interface EmailContextDeps {
  readonly catalog: Catalog;
  /** The model; without one, recommendations are best sellers. */
  readonly recommender?: Recommender;
  /** Articles, tips and guides for the `content` block; without one, `content` is empty. */
  readonly contentLibrary?: ContentLibrary;
}

/** One recipient's email to prepare. */
export interface EmailContextInput {
  readonly profile: Profile;
  readonly now: number;
  readonly campaign: { readonly id: string; readonly name: string };
  readonly variant: string;
  readonly links: LinkSettings;
  readonly shop: ShopView;
  /** How many products to recommend. @default 8 */
  readonly recommendations?: number;
  /** How many content items (at most `CONTENT_BLOCK_MAX`); 0 when the template shows none. @default 3 */
  readonly contentItems?: number;
  /** Ids of the content items the customer's last email showed: not shown again (rotation). */
  readonly recentContent?: readonly string[];
  /** The code of the offer the customer's last message showed: not offered again when another is eligible. */
  readonly recentOffer?: string;
  /** Segment ids; by default the profile's memberships. */
  readonly segments?: readonly string[];
  /** Model scores; by default the profile's. */
  readonly scores?: Readonly<Record<string, ModelScore>>;
  /** The change that started a catalog journey: `catalog_change` with its product. */
  readonly catalogChange?: CatalogChange;
  /** The event that started the journey (`trigger` of the context). */
  readonly trigger?: JourneyTrigger;
}

/**
 * The Liquid context of one recipient: recommendations (model, then fallbacks; never what is already in the
 * cart) with what they came from (`recommendations_basis`), catalog details of the cart, the trigger's lines and
 * recently viewed products priced in the customer's currency, content items chosen by interest (see
 * `chooseContent`), signed links.
 */
export async function prepareEmailContext(
  deps: EmailContextDeps,
  input: EmailContextInput,
): Promise<{
  readonly context: RenderContext;
  readonly recommendations: Recommendations;
  /** Ids of the content items in the context, best first. */
  readonly contentIds: readonly string[];
}> {
  const { profile } = input;
  const cartIds = (profile.ct?.i ?? []).map((line) => line.p);
  const [recommendations, products, content] = await Promise.all([
    recommendProducts(deps, profile, {
      limit: input.recommendations ?? 8,
      now: input.now,
      exclude: cartIds,
    }),
    deps.catalog.getMany([
      ...new Set([
        ...cartIds,
        ...(profile.rv ?? []),
        ...triggerProductIds(input.trigger),
        ...(input.catalogChange === undefined ? [] : [input.catalogChange.productId]),
      ]),
    ]),
    chooseFor(deps.contentLibrary, input),
  ]);
  const context = buildRenderContext({
    profile,
    now: input.now,
    campaign: input.campaign,
    variant: input.variant,
    links: input.links,
    shop: input.shop,
    recommendations: recommendations.products,
    recommendationsBasis: recommendations.basis,
    ...(recommendations.currency === undefined ? {} : { currency: recommendations.currency }),
    products,
    content,
    ...(input.segments === undefined ? {} : { segments: input.segments }),
    ...(input.scores === undefined ? {} : { scores: input.scores }),
    ...(input.catalogChange === undefined ? {} : { catalogChange: input.catalogChange }),
    ...(input.trigger === undefined ? {} : { trigger: input.trigger }),
    ...(input.recentOffer === undefined ? {} : { recentOffer: input.recentOffer }),
  });
  return { context, recommendations, contentIds: content.map((chosen) => chosen.item.id) };
}

/** Items shown by default in a content block. */
export const DEFAULT_CONTENT_ITEMS = 3;

async function chooseFor(
  library: ContentLibrary | undefined,
  input: EmailContextInput,
): Promise<ChosenContent[]> {
  const limit = Math.min(CONTENT_BLOCK_MAX, input.contentItems ?? DEFAULT_CONTENT_ITEMS);
  if (library === undefined || limit <= 0) return [];
  const items = await library.all();
  if (items.length === 0) return [];
  const { profile, now } = input;
  return chooseContent(items, {
    interests: contentInterests(profile, now),
    locale: resolveLocale(profile.t?.locale),
    recentlySent: input.recentContent ?? [],
    read: profile.cv ?? [],
    now,
    limit,
  });
}
