import { EVENT_NAMES, type EventKind } from "../events/index.js";

/** Two-letter code of each event kind, used as a key inside the profile item to keep it small. */
export const KIND_CODES = {
  identify: "id",
  page: "pg",
  screen: "sn",
  group: "gp",
  alias: "al",
  product_viewed: "pv",
  product_added: "pa",
  product_removed: "pr",
  cart_viewed: "cv",
  checkout_started: "ck",
  order_completed: "oc",
  order_refunded: "rf",
  order_cancelled: "cn",
  email_delivered: "ed",
  email_opened: "eo",
  email_clicked: "ec",
  email_bounced: "eb",
  email_complained: "ep",
  email_held_out: "eh",
  sms_delivered: "sd",
  sms_failed: "sf",
  sms_clicked: "sc",
  unsubscribed: "un",
  consent_updated: "cs",
  custom: "cx",
} as const satisfies Record<EventKind, string>;

/** A kind's code in the profile item. */
export type KindCode = (typeof KIND_CODES)[EventKind];

/** Kinds with recent time buckets (hourly for 48 h, daily for 90 days); `custom` counts all custom events. */
export const WINDOW_KINDS = [
  "product_viewed",
  "product_added",
  "product_removed",
  "checkout_started",
  "order_completed",
  "email_delivered",
  "email_opened",
  "email_clicked",
  "page",
  "screen",
  "custom",
] as const satisfies readonly EventKind[];

/** A kind with recent time buckets. */
export type WindowKind = (typeof WINDOW_KINDS)[number];

/** A windowed kind, or its event name (`Product Viewed` for `product_viewed`). */
export type WindowKindOrName = WindowKind | (typeof EVENT_NAMES)[WindowKind];

/** Kinds that also keep per-product hourly counts. */
export const PRODUCT_KINDS = [
  "product_viewed",
  "product_added",
  "product_removed",
  "checkout_started",
  "order_completed",
] as const satisfies readonly WindowKind[];

/** A kind with per-product counts. */
export type ProductKind = (typeof PRODUCT_KINDS)[number];

const WINDOW_KIND_SET: ReadonlySet<string> = new Set(WINDOW_KINDS);
const WINDOW_KIND_BY_NAME: ReadonlyMap<string, WindowKind> = new Map(
  WINDOW_KINDS.map((kind) => [EVENT_NAMES[kind], kind]),
);

/** Whether `kind` keeps recent time buckets. */
export function isWindowKind(kind: EventKind): kind is WindowKind {
  return WINDOW_KIND_SET.has(kind);
}

/** The windowed kind named by a kind or an event name. */
export function windowKindOf(kindOrName: WindowKindOrName): WindowKind | undefined {
  return WINDOW_KIND_BY_NAME.get(kindOrName) ?? WINDOW_KINDS.find((kind) => kind === kindOrName);
}
