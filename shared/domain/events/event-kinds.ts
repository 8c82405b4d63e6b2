/** Every kind of event Tailor understands; unknown track events are `custom`. */
export const EVENT_KINDS = [
  "identify",
  "page",
  "screen",
  "group",
  "alias",
  "product_viewed",
  "product_added",
  "product_removed",
  "cart_viewed",
  "checkout_started",
  "order_completed",
  "order_refunded",
  "order_cancelled",
  "email_delivered",
  "email_opened",
  "email_clicked",
  "email_bounced",
  "email_complained",
  "email_held_out",
  "sms_delivered",
  "sms_failed",
  "sms_clicked",
  "unsubscribed",
  "consent_updated",
  "custom",
] as const;

/** The discriminant of {@link TailorEvent}. */
export type EventKind = (typeof EVENT_KINDS)[number];

/** Canonical event name of each kind (the Segment Spec name for track events). `custom` keeps its own name. */
export const EVENT_NAMES = {
  identify: "Identify",
  page: "Page Viewed",
  screen: "Screen Viewed",
  group: "Group",
  alias: "Alias",
  product_viewed: "Product Viewed",
  product_added: "Product Added",
  product_removed: "Product Removed",
  cart_viewed: "Cart Viewed",
  checkout_started: "Checkout Started",
  order_completed: "Order Completed",
  order_refunded: "Order Refunded",
  order_cancelled: "Order Cancelled",
  email_delivered: "Email Delivered",
  email_opened: "Email Opened",
  email_clicked: "Email Clicked",
  email_bounced: "Email Bounced",
  email_complained: "Email Complained",
  email_held_out: "Email Held Out",
  sms_delivered: "SMS Delivered",
  sms_failed: "SMS Failed",
  sms_clicked: "SMS Clicked",
  unsubscribed: "Unsubscribed",
  consent_updated: "Consent Updated",
  custom: "Custom",
} as const satisfies Record<EventKind, string>;

/** The kinds of the Segment calls other than `track` (and `custom`, a track event Tailor has no type for). */
const CALL_KINDS = ["identify", "page", "screen", "group", "alias", "custom"] as const;

/** A track event kind: every kind except the other calls' (`identify`, `page`, `screen`, `group`, `alias`) and `custom`. */
export type TrackKind = Exclude<EventKind, (typeof CALL_KINDS)[number]>;

function isTrackKind(kind: EventKind): kind is TrackKind {
  return !CALL_KINDS.some((call) => call === kind);
}

const TRACK_KINDS_BY_KEY: ReadonlyMap<string, TrackKind> = new Map(
  EVENT_KINDS.filter(isTrackKind).map((kind) => [nameKey(EVENT_NAMES[kind]), kind]),
);

/**
 * The kind of a track event name. Matching ignores case and treats `_` like a space, so `Product Viewed`,
 * `product viewed` and `product_viewed` are the same event; anything else is `custom`.
 */
export function trackKindOf(eventName: string): TrackKind | "custom" {
  return TRACK_KINDS_BY_KEY.get(nameKey(eventName)) ?? "custom";
}

function nameKey(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, " ");
}
