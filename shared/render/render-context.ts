/**
 * # The Liquid context
 *
 * What every email template can use. Lists are always present (possibly empty); optional values are ABSENT
 * when unknown, never `null` or `""`, so a merge tag without a fallback fails the build against a sample
 * profile that lacks the value. Write fallbacks with `default`: `{{ customer.first_name | default: "there" }}`;
 * test optional values with `{% if customer.age_group %}` (conditions are lenient). Amounts are in major
 * units (`24.99`), times are ISO-8601 text (UTC); format them with the `money` and `date` filters, which use the
 * customer's locale, currency and time zone. See `shared/render/README.md` for the whole list with examples.
 *
 * @module
 */
import type { Scalar } from "../domain/events/index.js";
import type { LifecycleStage } from "../domain/profile/index.js";
import type { LinksView } from "./signed-links.js";

/** Age groups used for imagery and copy. */
export type AgeGroup = "under-18" | "18-24" | "25-34" | "35-44" | "45-54" | "55-64" | "65-plus";

/** `customer`: traits and profile aggregates. */
export interface CustomerView {
  readonly id: string;
  readonly email?: string;
  readonly first_name?: string;
  readonly last_name?: string;
  /** First and last name joined, when either is known. */
  readonly full_name?: string;
  /** A supported BCP 47 locale: the customer's, or `en-US` when missing, malformed or unsupported. */
  readonly locale: string;
  /** The language part of `locale` (`fr` of `fr-CA`), used for `<html lang>`. */
  readonly language: string;
  /** ISO 4217 code: the customer's order currency, else the cart's, else `USD`. */
  readonly currency: string;
  /** IANA time zone: the customer's, or `UTC`. */
  readonly timezone: string;
  readonly country?: string;
  readonly region?: string;
  readonly city?: string;
  readonly gender?: string;
  /** `YYYY-MM-DD`. */
  readonly birthday?: string;
  /** Whole years at the time of rendering (UTC dates). */
  readonly age?: number;
  readonly age_group?: AgeGroup;
  readonly orders_count: number;
  /** Revenue in major units of `currency` (orders minus refunds). */
  readonly revenue: number;
  /** Revenue / orders, when there are orders. */
  readonly average_order_value?: number;
  readonly first_order_at?: string;
  readonly last_order_at?: string;
  /** Whole days since the last order. */
  readonly days_since_last_order?: number;
  /** `new_lead`, `active`, `repeat_buyer`, `lapsed` or `churned`, at the time of rendering. */
  readonly lifecycle_stage: LifecycleStage;
  readonly lifecycle_since: string;
  /** The category with the strongest affinity. */
  readonly favourite_category?: string;
  /** Categories by affinity, strongest first. */
  readonly categories: readonly string[];
  /** RFM scores 1–5, when the batch has computed them. */
  readonly rfm?: { readonly r: number; readonly f: number; readonly m: number };
  /** Custom traits (`traits.plan`, …). */
  readonly traits: Readonly<Record<string, Scalar>>;
}

/** A product in `recommendations`, `recently_viewed`, or a cart line. */
export interface ProductView {
  readonly id: string;
  readonly name: string;
  readonly brand: string;
  readonly category: string;
  /** Major units of `currency`. */
  readonly price: number;
  readonly currency: string;
  readonly url: string;
  readonly image_url: string;
  readonly in_stock: boolean;
}

/** An item of `content`: an article, tip or guide of the content library chosen for the customer. */
export interface ContentView {
  readonly id: string;
  /** `article`, `tip` or `guide`. */
  readonly kind: string;
  readonly title: string;
  /** A sentence or two, plain text. */
  readonly summary: string;
  readonly url: string;
  readonly image_url?: string;
  readonly tags: readonly string[];
  /** The item's tags the customer is interested in, strongest first (empty for the newest-items fallback). */
  readonly matched_tags: readonly string[];
  /** The item's locale, when the library gave one. */
  readonly locale?: string;
  readonly published_at?: string;
}
/**
 * What the recommendations came from: `order` (the model, with the customer's latest order as the strongest
 * signal: "goes well with your order" is true), `activity` (the model, from what the customer viewed, carted
 * and bought otherwise), `interests` (best sellers of the customer's favourite category), `popular` (best
 * sellers only, or no recommendations).
 */
export type RecommendationsBasis = "order" | "activity" | "interests" | "popular";

/** A line of `cart.items`. */
export interface CartLineView {
  readonly product_id: string;
  readonly quantity: number;
  /** From the catalog, when the product is known. */
  readonly name?: string;
  readonly url?: string;
  readonly image_url?: string;
  readonly category?: string;
  /** Unit price in major units of `cart.currency`, when known. */
  readonly price?: number;
}

/** `cart`: the open cart (empty `items` when there is none). */
export interface CartView {
  readonly items: readonly CartLineView[];
  /** Total quantity. */
  readonly count: number;
  /** Sum of the known line prices × quantities. */
  readonly total: number;
  readonly currency: string;
  /** When the cart last changed. */
  readonly updated_at?: string;
}

/** A line of `trigger.order.lines`, `trigger.cart.items` or `trigger.product`: as the event said, with catalog details. */
export interface TriggerLineView {
  readonly product_id: string;
  readonly quantity: number;
  /** The event's name, else the catalog's. */
  readonly name?: string;
  readonly category?: string;
  /** From the catalog, when the product is known. */
  readonly url?: string;
  readonly image_url?: string;
  /** Unit price as the event said, in major units of the trigger's `currency` (never the catalog's price). */
  readonly price?: number;
  /** `price × quantity`, when the price is known. */
  readonly line_total?: number;
}

/** `trigger.order`: the order that started the journey (post-purchase), as it was placed. */
export interface TriggerOrderView {
  readonly id: string;
  /** The shop's order number (`order_number`), else the order id. */
  readonly number: string;
  readonly placed_at: string;
  /** At most 50 lines; `more_lines` counts the rest. */
  readonly lines: readonly TriggerLineView[];
  readonly more_lines: number;
  /** Total quantity of the listed lines. */
  readonly count: number;
  /** What the customer paid, major units of `currency` (as every amount here), when the event said. */
  readonly total?: number;
  /** The lines before shipping, tax and discount. */
  readonly subtotal?: number;
  readonly shipping?: number;
  readonly tax?: number;
  /** Taken off the order (a positive amount). */
  readonly discount?: number;
  readonly currency: string;
}

/** `trigger.cart`: the cart right after the event that started the journey (`cart` is the cart at send time). */
export interface TriggerCartView {
  readonly items: readonly TriggerLineView[];
  readonly more_items: number;
  readonly count: number;
  /** Sum of the known line totals. */
  readonly total: number;
  readonly currency: string;
  readonly at: string;
}

/** `trigger`: the event that started the journey, for event-started campaigns (absent otherwise). */
export interface TriggerView {
  /** `order`, `cart`, `product` or `catalog`. */
  readonly kind: "order" | "cart" | "product" | "catalog";
  /** When the event happened. */
  readonly at: string;
  readonly order?: TriggerOrderView;
  readonly cart?: TriggerCartView;
  /** The viewed product (browse abandonment), with `currency`. */
  readonly product?: TriggerLineView & { readonly currency: string };
}

/** A model's score in `scores` (e.g. `scores.purchase_30d.tier`). */
export interface ScoreView {
  /** 0–1. */
  readonly probability: number;
  readonly tier: "high" | "medium" | "low";
  readonly scored_at: string;
}

/** `shop`: who sends the email (the footer's postal address is a legal requirement in many countries). */
export interface ShopView {
  readonly name: string;
  readonly url: string;
  readonly logo_url: string;
  /** Base URL of the shop's email pictures (`hero/street-style.jpg`, …): `<url>/images` unless configured. */
  readonly images_url: string;
  readonly postal_address: string;
}

/** An offer as templates see it (`offer`), and as on-site content returns it. */
export interface OfferView {
  /** `dormant` (at risk, hibernating, lapsed or churned), `frequent` (champions, loyal, 3+ orders), `first_order`. */
  readonly kind: "dormant" | "frequent" | "first_order";
  /** The discount code the block shows: also the offer's id in the send ledger (rotation). */
  readonly code: string;
}

/** The whole context of one recipient's email. */
export interface RenderContext {
  readonly customer: CustomerView;
  /** Ids of the segments the customer is in. */
  readonly segments: readonly string[];
  /** Model scores by model name. */
  readonly scores: Readonly<Record<string, ScoreView>>;
  /**
   * Recommended products, best first: in stock, not already bought (but for replenishable products that are due
   * again), at most half from one category, priced in the customer's currency.
   */
  readonly recommendations: readonly ProductView[];
  /** What `recommendations` came from, so copy claims no more than is true (see {@link RecommendationsBasis}). */
  readonly recommendations_basis: RecommendationsBasis;
  /** Recently viewed products, newest first, as far as the catalog knows them. */
  readonly recently_viewed: readonly ProductView[];
  /** The cart at send time (see `trigger.cart` for the cart as it was when the journey started). */
  readonly cart: CartView;
  /**
   * Content library items chosen for the customer (interests, recent activity, locale, newness), best first;
   * never an item the customer's last email showed; empty without a library. See `docs/content.md`.
   */
  readonly content: readonly ContentView[];
  /**
   * The offer of the offer block (`templates/blocks/offer.mjml`), chosen by segment and rotated: never the offer
   * of the customer's last message when another is eligible; null when none is (see `offer-view.ts`).
   */
  readonly offer: OfferView | null;
  /** The event that started the journey (absent for segment and schedule campaigns, and in plain previews). */
  readonly trigger?: TriggerView;
  readonly campaign: { readonly id: string; readonly name: string };
  /** The variant being rendered (`a` is the template itself; others come from `variants/<id>/`). */
  readonly variant: { readonly id: string };
  /** Signed unsubscribe, preferences and view-in-browser links. */
  readonly links: LinksView;
  readonly shop: ShopView;
  /** Time of rendering, ISO-8601 (`{{ "now" | date }}` formats it). */
  readonly now: string;
  /** The catalog change of a catalog-triggered journey; absent otherwise. */
  readonly catalog_change?: CatalogChangeView;
}

/**
 * `catalog_change`: the change that started a catalog-triggered journey (back in stock, price drop), with the
 * product as the catalog holds it at send time. Absent in every other email: test it with
 * `{% if catalog_change %}`.
 */
export interface CatalogChangeView {
  readonly kind: "back-in-stock" | "price-drop";
  readonly product: ProductView;
  /** When the catalog learnt it, ISO-8601. */
  readonly at: string;
  /** Price drop: the currency of the prices below. */
  readonly currency?: string;
  /** Price drop: before and after, major units (`{{ catalog_change.old_price | money: catalog_change.currency }}`). */
  readonly old_price?: number;
  readonly new_price?: number;
  /** Price drop: whole percent off the old price. */
  readonly drop_percent?: number;
}

/** The context of the HTML and text parts: the recipient's context plus the rendered subject and preheader. */
export interface EmailContext extends RenderContext {
  readonly email: { readonly subject: string; readonly preheader: string };
}
