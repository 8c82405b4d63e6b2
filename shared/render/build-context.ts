import type { JourneyTrigger } from "../domain/campaigns/contracts.js";
import type { CatalogChange, ChosenContent } from "../domain/catalog/index.js";
import { currencyExponent } from "../domain/events/index.js";
import { mayProfile } from "../domain/profile/consent.js";
import { affinityAt, DAY_MS, lifecycleAt, type Profile } from "../domain/profile/index.js";
import type { ModelScore } from "../domain/segments/contracts.js";
import type { CatalogProduct } from "../ports.js";
import { resolveLocale, resolveTimeZone } from "./intl-cache.js";
import { offerOf } from "./offer-view.js";
import { priceIn } from "./product-price.js";
import type {
  AgeGroup,
  CartView,
  CatalogChangeView,
  ContentView,
  CustomerView,
  ProductView,
  RecommendationsBasis,
  RenderContext,
  ScoreView,
  ShopView,
} from "./render-context.js";
import { buildLinks, type LinkSettings } from "./signed-links.js";
import { triggerView } from "./trigger-view.js";

/** Everything a recipient's context is built from. */
export interface ContextInput {
  readonly profile: Profile;
  /** Time of rendering (epoch ms). */
  readonly now: number;
  readonly campaign: { readonly id: string; readonly name: string };
  readonly variant: string;
  readonly links: LinkSettings;
  readonly shop: ShopView;
  /** Recommended products, already filtered (see `recommendProducts`). */
  readonly recommendations?: readonly CatalogProduct[];
  /** What the recommendations came from (`recommendations_basis`). @default "popular" */
  readonly recommendationsBasis?: RecommendationsBasis;
  /**
   * The currency to show product prices in (the customer's, as `recommendProducts` chose by). @default each
   * product's default currency
   */
  readonly currency?: string;
  /** Catalog entries of the cart's, the trigger's and recently viewed products, to show names and images. */
  readonly products?: ReadonlyMap<string, CatalogProduct>;
  /** Content items chosen for the customer (see `chooseContent`), best first. */
  readonly content?: readonly ChosenContent[];
  /** The event that started the journey (the intent's snapshot): `trigger` of the context. */
  readonly trigger?: JourneyTrigger;
  /** Segment ids; by default the memberships stored on the profile (`sg`). */
  readonly segments?: readonly string[];
  /** Model scores; by default those stored on the profile (`sc`). */
  readonly scores?: Readonly<Record<string, ModelScore>>;
  /** The change that started a catalog journey; its product is looked up in `products`. */
  readonly catalogChange?: CatalogChange;
  /** The code of the offer the customer's last message showed: not offered again when another is eligible. */
  readonly recentOffer?: string;
}

const iso = (time: number) => new Date(time).toISOString();
const present = (value: string | undefined) =>
  value === undefined || value.trim() === "" ? undefined : value;

/** Drops keys whose value is `undefined`, so strict Liquid sees them as absent. */
function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value))
    if (Reflect.get(value, key) === undefined) Reflect.deleteProperty(value, key);
  return value;
}

/** Whole years between a `YYYY-MM-DD` birthday and `now` (UTC dates); undefined when not a real date. */
export function ageAt(birthday: string | undefined, now: number): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birthday ?? "");
  if (match === null) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const born = Date.UTC(year, month - 1, day);
  if (new Date(born).getUTCDate() !== day || born > now) return undefined;
  const today = new Date(now);
  const beforeBirthday =
    today.getUTCMonth() + 1 < month || (today.getUTCMonth() + 1 === month && today.getUTCDate() < day);
  return today.getUTCFullYear() - year - (beforeBirthday ? 1 : 0);
}

/** The age group of an age. */
export function ageGroupOf(age: number): AgeGroup {
  if (age < 18) return "under-18";
  if (age < 25) return "18-24";
  if (age < 35) return "25-34";
  if (age < 45) return "35-44";
  if (age < 55) return "45-54";
  if (age < 65) return "55-64";
  return "65-plus";
}

function toMajor(minor: number, currency: string): number {
  return minor / 10 ** currencyExponent(currency);
}

/** Segment ids stored on the profile (`sg`), when the profile carries memberships. */
export function storedSegments(profile: Profile): string[] {
  const sg: unknown = "sg" in profile ? profile.sg : undefined;
  return typeof sg === "object" && sg !== null ? Object.keys(sg) : [];
}

function isModelScore(value: unknown): value is ModelScore {
  if (typeof value !== "object" || value === null) return false;
  const p: unknown = Reflect.get(value, "p");
  const t: unknown = Reflect.get(value, "t");
  const at: unknown = Reflect.get(value, "at");
  return typeof p === "number" && (t === "high" || t === "medium" || t === "low") && typeof at === "number";
}

/** Model scores stored on the profile (`sc`); none for a customer who withdrew profiling consent. */
export function storedScores(profile: Profile): Record<string, ModelScore> {
  if (!mayProfile(profile)) return {};
  const sc: unknown = "sc" in profile ? profile.sc : undefined;
  if (typeof sc !== "object" || sc === null) return {};
  return Object.fromEntries(
    Object.entries(sc).filter((entry): entry is [string, ModelScore] => isModelScore(entry[1])),
  );
}

function storedRfm(profile: Profile): CustomerView["rfm"] {
  const rfm: unknown = "rfm" in profile ? profile.rfm : undefined;
  if (typeof rfm !== "object" || rfm === null) return undefined;
  const [r, f, m]: unknown[] = [Reflect.get(rfm, "r"), Reflect.get(rfm, "f"), Reflect.get(rfm, "m")];
  return typeof r === "number" && typeof f === "number" && typeof m === "number" ? { r, f, m } : undefined;
}

/** The `customer` object of the context. */
export function customerView(profile: Profile, now: number): CustomerView {
  const traits = profile.t ?? {};
  const locale = resolveLocale(present(traits.locale));
  const orders = profile.o;
  const currency = orders?.c ?? profile.ct?.c ?? "USD";
  const revenue = orders === undefined ? 0 : toMajor(orders.r, currency);
  const age = ageAt(traits.birthday, now);
  const lifecycle = lifecycleAt(profile, now);
  const categories = affinityAt(profile, now).map((entry) => entry.category);
  const first = present(traits.first_name);
  const last = present(traits.last_name);
  return compact({
    id: profile.customerId,
    email: present(traits.email),
    first_name: first,
    last_name: last,
    full_name:
      first === undefined && last === undefined ? undefined : [first, last].filter(Boolean).join(" "),
    locale,
    language: locale.split("-")[0] ?? "en",
    currency,
    timezone: resolveTimeZone(present(traits.timezone)),
    country: present(traits.country),
    region: present(traits.region),
    city: present(traits.city),
    gender: present(traits.gender),
    birthday: age === undefined ? undefined : traits.birthday,
    age,
    age_group: age === undefined ? undefined : ageGroupOf(age),
    orders_count: orders?.n ?? 0,
    revenue,
    average_order_value:
      orders !== undefined && orders.n > 0 ? Math.round((revenue / orders.n) * 100) / 100 : undefined,
    first_order_at: orders?.f === undefined ? undefined : iso(orders.f),
    last_order_at: orders?.l === undefined ? undefined : iso(orders.l),
    days_since_last_order:
      orders?.l === undefined ? undefined : Math.floor(Math.max(0, now - orders.l) / DAY_MS),
    lifecycle_stage: lifecycle.s,
    lifecycle_since: iso(lifecycle.at),
    favourite_category: categories[0],
    categories,
    rfm: storedRfm(profile),
    traits: { ...(traits.x ?? {}) },
  });
}

/**
 * A catalog product as templates see it, priced in `currency` when the catalog has that price (see
 * {@link priceIn}); otherwise in the product's default currency.
 */
export function productView(product: CatalogProduct, currency?: string): ProductView {
  const shown = priceIn(product, currency) ?? { price: product.price, currency: product.currency };
  return {
    id: product.productId,
    name: product.name,
    brand: product.brand,
    category: product.category,
    price: shown.price,
    currency: shown.currency,
    url: product.url,
    image_url: product.imageUrl,
    in_stock: product.inStock,
  };
}

/** A chosen content item as templates see it. */
export function contentView({ item, matched }: ChosenContent): ContentView {
  return compact({
    id: item.id,
    kind: item.kind,
    title: item.title,
    summary: item.summary,
    url: item.url,
    image_url: item.imageUrl,
    tags: [...item.tags],
    matched_tags: [...matched],
    locale: item.locale,
    published_at: item.publishedAt === undefined ? undefined : iso(item.publishedAt),
  });
}

function cartView(profile: Profile, products: ReadonlyMap<string, CatalogProduct>): CartView {
  const cart = profile.ct;
  if (cart === undefined) return { items: [], count: 0, total: 0, currency: profile.o?.c ?? "USD" };
  const items = cart.i.map((line) => {
    const product = products.get(line.p);
    return compact({
      product_id: line.p,
      quantity: line.q,
      name: product?.name,
      url: product?.url,
      image_url: product?.imageUrl,
      category: line.k ?? product?.category,
      price: line.m === undefined ? undefined : toMajor(line.m, cart.c),
    });
  });
  const total = items.reduce((sum, line) => sum + (line.price ?? 0) * line.quantity, 0);
  return {
    items,
    count: items.reduce((sum, line) => sum + line.quantity, 0),
    total: Math.round(total * 100) / 100,
    currency: cart.c,
    updated_at: iso(cart.u),
  };
}

function scoreViews(scores: Readonly<Record<string, ModelScore>>): Record<string, ScoreView> {
  return Object.fromEntries(
    Object.entries(scores).map(([model, score]) => [
      model,
      { probability: score.p, tier: score.t, scored_at: iso(score.at) },
    ]),
  );
}

/** The Liquid context of one recipient's email (documented in `render-context.ts`). Pure but for the HMAC. */
export function buildRenderContext(input: ContextInput): RenderContext {
  const { profile, now } = input;
  const products = input.products ?? new Map<string, CatalogProduct>();
  const recentlyViewed = (profile.rv ?? []).flatMap((id) => {
    const product = products.get(id);
    return product === undefined ? [] : [productView(product, input.currency)];
  });
  const trigger = triggerView(input.trigger, products);
  const customer = customerView(profile, now);
  const segments = [...(input.segments ?? storedSegments(profile))];
  return {
    customer,
    segments,
    scores: scoreViews(mayProfile(profile) ? (input.scores ?? storedScores(profile)) : {}),
    recommendations: (input.recommendations ?? []).map((product) => productView(product, input.currency)),
    recommendations_basis: input.recommendationsBasis ?? "popular",
    recently_viewed: recentlyViewed,
    cart: cartView(profile, products),
    content: (input.content ?? []).map(contentView),
    offer: offerOf({ segments, customer }, input.recentOffer) ?? null,
    ...(trigger === undefined ? {} : { trigger }),
    campaign: { id: input.campaign.id, name: input.campaign.name },
    variant: { id: input.variant },
    links: buildLinks(input.links, profile.customerId, input.campaign.id, now),
    shop: input.shop,
    now: iso(now),
    ...catalogChangeContext(input.catalogChange, products),
  };
}

/**
 * `catalog_change` of a catalog journey whose product the catalog still has (a gone product ends the journey
 * before rendering); nothing otherwise.
 */
function catalogChangeContext(
  change: CatalogChange | undefined,
  products: ReadonlyMap<string, CatalogProduct>,
): { catalog_change?: CatalogChangeView } {
  const product = change === undefined ? undefined : products.get(change.productId);
  return change === undefined || product === undefined
    ? {}
    : { catalog_change: catalogChangeView(change, product) };
}

/** A catalog change as templates see it; for a price drop the product shows the dropped price, in its currency. */
export function catalogChangeView(change: CatalogChange, product: CatalogProduct): CatalogChangeView {
  const view = productView(product);
  if (change.kind === "back-in-stock") return { kind: change.kind, product: view, at: iso(change.at) };
  return {
    kind: change.kind,
    product: { ...view, price: change.after, currency: change.currency },
    at: iso(change.at),
    currency: change.currency,
    old_price: change.before,
    new_price: change.after,
    drop_percent: change.before > 0 ? Math.round(((change.before - change.after) / change.before) * 100) : 0,
  };
}
