import type { EventKind } from "./event-kinds.js";

/** A scalar value kept from free-form properties or traits. */
export type Scalar = string | number | boolean;

/** Purposes a customer can grant or refuse consent for. */
export const CONSENT_PURPOSES = ["marketing_email", "transactional_email", "profiling", "sms"] as const;
/** A consent purpose. */
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** SES bounce types Tailor distinguishes: only `Permanent` suppresses the address. */
export type BounceType = "Permanent" | "Transient";

/** Customer traits, normalised (email trimmed and lower-cased, birthday as `YYYY-MM-DD`, locale canonical). */
export interface Traits {
  readonly email?: string;
  readonly first_name?: string;
  readonly last_name?: string;
  /** Calendar date `YYYY-MM-DD`. */
  readonly birthday?: string;
  readonly country?: string;
  readonly city?: string;
  readonly region?: string;
  /** IANA time zone, e.g. `Europe/Paris`. */
  readonly timezone?: string;
  /** BCP 47 locale, canonicalised, e.g. `fr-FR`. */
  readonly locale?: string;
  readonly phone?: string;
  readonly gender?: string;
  /** Other scalar traits (at most {@link CUSTOM_FIELDS_MAX} keys; nested values and long strings are dropped). */
  readonly custom?: Readonly<Record<string, Scalar>>;
}

/** A product line. Money is in integer minor units of the enclosing event's currency. */
export interface Product {
  /** The first of `product_id`, `id` (the e-commerce v1 key) and `sku` the line carries. */
  readonly productId: string;
  /** `sku`, as sent (also when it is not the product id). */
  readonly sku?: string;
  readonly category?: string;
  readonly name?: string;
  readonly brand?: string;
  /** Unit price in minor units (e.g. cents; yen for JPY). */
  readonly price?: number;
  /** Integer ≥ 1; 1 when absent. */
  readonly quantity: number;
}

/** What every event carries. */
interface EventBase {
  /** Idempotency key: the same messageId is applied to a profile at most once. */
  readonly messageId: string;
  /** The profile key: `userId ?? anonymousId`. */
  readonly customerId: string;
  readonly userId?: string;
  readonly anonymousId?: string;
  /**
   * Event time, epoch milliseconds: the sender's time, or the time received when the sender's was more than
   * {@link FUTURE_TOLERANCE_MS} ahead of it (then `clockSkewMs` is set).
   */
  readonly timestamp: number;
  /** How far ahead of the time received the sender's clock was (ms), when its time was clamped; else absent. */
  readonly clockSkewMs?: number;
  readonly kind: EventKind;
  /** Track event name (canonical for known kinds), `Page Viewed` or `Identify`. */
  readonly name: string;
  /** Traits carried by the event (`context.traits`, and for identify the top-level `traits` over them). */
  readonly traits?: Traits;
  /** Device context a profile needs; other context fields are ignored. */
  readonly context?: { readonly timezone?: string; readonly locale?: string };
  /**
   * Past history (`context.tailor.historical === true`, set by `tailor import` and `POST /v1/import`): folded
   * like any event, but it starts no journey and its segment entries start no campaign. Absent for live events.
   */
  readonly historical?: true;
}

/** `identify`: who the customer is. */
export interface IdentifyEvent extends EventBase {
  readonly kind: "identify";
  readonly traits: Traits;
}

/** `page`: a page view. */
export interface PageEvent extends EventBase {
  readonly kind: "page";
  readonly page: {
    readonly name?: string;
    readonly category?: string;
    readonly url?: string;
    readonly path?: string;
    readonly title?: string;
    readonly referrer?: string;
    /** The content library item the page shows (`properties.content_id`). */
    readonly contentId?: string;
    /** `properties.keywords`: on a content page, the item's interest tags. */
    readonly keywords?: readonly string[];
  };
}

/** `screen`: a view of a mobile app screen. Counted as its own kind (`Screen Viewed`), apart from web pages. */
export interface ScreenEvent extends EventBase {
  readonly kind: "screen";
  readonly screen: { readonly name?: string; readonly category?: string };
}

/** `group`: the customer belongs to an account, a company or a team (`groupId`), with a few of its traits. */
export interface GroupEvent extends EventBase {
  readonly kind: "group";
  readonly group: {
    readonly groupId: string;
    /** Scalar group traits, `name` first (at most {@link GROUP_TRAITS_MAX}). */
    readonly traits: Readonly<Record<string, Scalar>>;
  };
}

/** `alias`: the customer (`userId`) was known before by another id (`previousId`). Recorded, never merged. */
export interface AliasEvent extends EventBase {
  readonly kind: "alias";
  readonly alias: { readonly previousId: string };
}

/** `Product Viewed`, `Product Added`, `Product Removed`. */
export interface ProductEvent extends EventBase {
  readonly kind: "product_viewed" | "product_added" | "product_removed";
  readonly product: Product;
  /** ISO 4217 currency of `product.price`; `USD` when absent. */
  readonly currency: string;
}

/** `Cart Viewed`. */
export interface CartViewedEvent extends EventBase {
  readonly kind: "cart_viewed";
  readonly cart: {
    readonly cartId?: string;
    /** The cart's contents when the event lists them; absent when it does not. */
    readonly products?: readonly Product[];
    readonly currency: string;
  };
}

/** `Checkout Started`. */
export interface CheckoutStartedEvent extends EventBase {
  readonly kind: "checkout_started";
  readonly checkout: {
    readonly orderId?: string;
    /** `value ?? revenue`, minor units. */
    readonly value?: number;
    readonly currency: string;
    readonly products: readonly Product[];
  };
}

/** `Order Completed`. */
export interface OrderCompletedEvent extends EventBase {
  readonly kind: "order_completed";
  readonly order: {
    readonly orderId: string;
    /** `order_number` (the number the customer sees, e.g. `#1042`), when the event carries it. */
    readonly number?: string;
    /** What the customer paid, minor units: `total ?? revenue ?? Σ price × quantity` (0 when unknown). */
    readonly total: number;
    /** Segment's `revenue` (excluding shipping and tax), minor units, when the event carries it. */
    readonly revenue?: number;
    /** Segment's `subtotal`, `shipping`, `tax` and `discount`, minor units, when the event carries them. */
    readonly subtotal?: number;
    readonly shipping?: number;
    readonly tax?: number;
    readonly discount?: number;
    readonly currency: string;
    readonly products: readonly Product[];
  };
}

/** `Order Refunded`. */
export interface OrderRefundedEvent extends EventBase {
  readonly kind: "order_refunded";
  readonly refund: {
    readonly orderId: string;
    /**
     * Amount refunded, minor units: `total`, else the Σ price × quantity of the priced lines. Absent when the
     * event says neither: with no lines it is a full refund (what is left of the order); with lines and no
     * price it is a partial refund of an unknown amount.
     */
    readonly total?: number;
    readonly currency: string;
    readonly products: readonly Product[];
  };
}

/** `Order Cancelled`: the order named by `orderId` is reversed. */
export interface OrderCancelledEvent extends EventBase {
  readonly kind: "order_cancelled";
  readonly cancel: {
    readonly orderId: string;
    /** `total ?? revenue ?? Σ price × quantity` as sent, minor units; the fold reverses what it booked. */
    readonly total?: number;
    readonly currency: string;
    readonly products: readonly Product[];
  };
}

/** The email an email event is about. */
export interface EmailRef {
  /** The email's own message id (the SES message id), not the event's `messageId`. */
  readonly messageId: string;
  readonly campaignId?: string;
  readonly variant?: string;
  /** The clicked link, for `Email Clicked`. */
  readonly url?: string;
}

/** `Email Delivered`, `Email Opened`, `Email Clicked`, `Email Complained`. */
export interface EmailEvent extends EventBase {
  /** `email_held_out`: the customer was in a campaign's holdout (no email; `messageId` is the send key). */
  readonly kind: "email_delivered" | "email_opened" | "email_clicked" | "email_complained" | "email_held_out";
  readonly email: EmailRef;
}

/** `Email Bounced`. */
export interface EmailBouncedEvent extends EventBase {
  readonly kind: "email_bounced";
  readonly email: EmailRef;
  readonly bounceType: BounceType;
}

/** The text an SMS event is about. */
export interface SmsRef {
  /** The provider's message id of the text. */
  readonly messageId: string;
  readonly campaignId?: string;
  readonly variant?: string;
  /** The followed link, for `SMS Clicked`. */
  readonly url?: string;
}

/**
 * `SMS Delivered`: the carrier delivered (or accepted) a text. `SMS Clicked`: the customer followed a link of the
 * text (Tailor's short link).
 */
export interface SmsDeliveredEvent extends EventBase {
  readonly kind: "sms_delivered" | "sms_clicked";
  readonly sms: SmsRef;
}

/** `SMS Failed`: a text was not delivered; `permanent` when the number itself is invalid (suppresses SMS). */
export interface SmsFailedEvent extends EventBase {
  readonly kind: "sms_failed";
  readonly sms: SmsRef;
  /** The provider's event type, e.g. `TEXT_INVALID`, `TEXT_CARRIER_UNREACHABLE`. */
  readonly status: string;
  readonly permanent: boolean;
}

/** `Unsubscribed`. */
export interface UnsubscribedEvent extends EventBase {
  readonly kind: "unsubscribed";
  readonly unsubscribe: {
    /** `marketing_email` when absent. */
    readonly purpose: ConsentPurpose;
    readonly list?: string;
    readonly campaignId?: string;
  };
}

/** `Consent Updated`. */
export interface ConsentUpdatedEvent extends EventBase {
  readonly kind: "consent_updated";
  readonly consent: { readonly purpose: ConsentPurpose; readonly granted: boolean; readonly source?: string };
}

/** Any other track event: kept as generic behaviour. */
export interface CustomEvent extends EventBase {
  readonly kind: "custom";
  /** Scalar properties (at most {@link CUSTOM_FIELDS_MAX}; nested values and long strings are dropped). */
  readonly properties: Readonly<Record<string, Scalar>>;
}

/** A validated, normalised event, discriminated on `kind`. */
export type TailorEvent =
  | IdentifyEvent
  | PageEvent
  | ScreenEvent
  | GroupEvent
  | AliasEvent
  | ProductEvent
  | CartViewedEvent
  | CheckoutStartedEvent
  | OrderCompletedEvent
  | OrderRefundedEvent
  | OrderCancelledEvent
  | EmailEvent
  | EmailBouncedEvent
  | SmsDeliveredEvent
  | SmsFailedEvent
  | UnsubscribedEvent
  | ConsentUpdatedEvent
  | CustomEvent;
