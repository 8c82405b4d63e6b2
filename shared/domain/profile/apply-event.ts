import { assertNever } from "#shared/errors.js";
import type { Product, TailorEvent } from "../events/index.js";
import { AFFINITY_WEIGHTS, addAffinity } from "./affinity.js";
import { touchCampaign } from "./campaign-touch.js";
import { changeCart } from "./cart.js";
import { recordClockSkew } from "./clock-skew.js";
import { recordConsent, recordUnsubscribe, suppress } from "./consent.js";
import { recordContentView } from "./content-views.js";
import { countCustomName } from "./custom-names.js";
import { recordEmail } from "./email-engagement.js";
import { recordGroup } from "./groups.js";
import { isWindowKind, KIND_CODES, type ProductKind } from "./kind-codes.js";
import { lifecycleAt } from "./lifecycle.js";
import { recordOpenHour } from "./open-hours.js";
import { isKnownOrder, recordBoughtProducts, recordCancel, recordOrder, recordRefund } from "./orders.js";
import { type Profile, RECENTLY_VIEWED_MAX } from "./profile.js";
import { mergeTraits } from "./profile-traits.js";
import { lastAt, recordInWindows, recordProduct } from "./windows.js";

/** Folds one event (already de-duplicated) into a working copy of the profile. */
export function applyEvent(profile: Profile, event: TailorEvent, now: number): void {
  const time = event.timestamp;
  const lastOfKind = lastAt(profile, event.kind);
  touchSeen(profile, event);
  if (event.userId !== undefined && event.userId === profile.customerId) profile.u = 1;
  recordClockSkew(profile, event);
  if (event.traits !== undefined || event.context !== undefined) {
    mergeTraits(profile, event.traits, event.context, time);
  }
  // An order already completed (a retry under a new messageId) counts nowhere again.
  if (event.kind === "order_completed" && isKnownOrder(profile, event.order.orderId)) return;
  count(profile, event, now);

  switch (event.kind) {
    case "page":
      recordContentView(profile, event.page, time, lastOfKind === undefined || time >= lastOfKind);
      return;
    case "identify":
    case "screen":
    case "custom":
      return;
    case "group":
      recordGroup(profile, event);
      return;
    case "alias":
      // Counted; the link itself is made by identity resolution before the fold (the ids it merged are in `im`).
      return;
    case "product_viewed":
      recordProducts(profile, event.kind, [event.product], time, now);
      viewed(profile, event.product.productId, lastOfKind === undefined || time >= lastOfKind);
      return;
    case "product_added":
      recordProducts(profile, event.kind, [event.product], time, now);
      changeCart(profile, { op: "add", product: event.product, currency: event.currency }, time);
      return;
    case "product_removed":
      recordProducts(profile, event.kind, [event.product], time, now);
      changeCart(profile, { op: "remove", product: event.product, currency: event.currency }, time);
      return;
    case "cart_viewed":
      if (event.cart.products !== undefined) {
        changeCart(
          profile,
          { op: "replace", products: event.cart.products, currency: event.cart.currency },
          time,
        );
      }
      return;
    case "checkout_started":
      recordProducts(profile, event.kind, event.checkout.products, time, now);
      return;
    case "order_completed":
      recordProducts(profile, event.kind, event.order.products, time, now);
      recordBoughtProducts(
        profile,
        event.order.products.map((product) => product.productId),
        time >= (profile.o?.l ?? Number.NEGATIVE_INFINITY),
        time,
      );
      recordOrder(profile, {
        orderId: event.order.orderId,
        total: event.order.total,
        revenue: event.order.revenue,
        currency: event.order.currency,
        time,
        categories: event.order.products.map((product) => product.category),
      });
      changeCart(profile, { op: "clear" }, time);
      profile.lc = lifecycleAt(profile, time);
      return;
    case "order_refunded":
      recordRefund(profile, {
        orderId: event.refund.orderId,
        amount: event.refund.total ?? (event.refund.products.length === 0 ? "rest" : "unknown"),
        currency: event.refund.currency,
        time,
      });
      return;
    case "order_cancelled":
      if (recordCancel(profile, { orderId: event.cancel.orderId, time }))
        profile.lc = lifecycleAt(profile, time);
      return;
    case "email_delivered":
      recordEmail(profile, "delivered", event.email.messageId);
      if (event.email.campaignId !== undefined && event.email.variant !== undefined) {
        touchCampaign(profile, event.email.campaignId, event.email.variant, time);
      }
      return;
    case "email_opened":
      if (recordEmail(profile, "opened", event.email.messageId)) recordOpenHour(profile, time);
      return;
    case "email_clicked":
      if (recordEmail(profile, "clicked", event.email.messageId)) recordOpenHour(profile, time);
      if (event.email.campaignId !== undefined && event.email.variant !== undefined) {
        touchCampaign(profile, event.email.campaignId, event.email.variant, time);
      }
      return;
    case "email_held_out":
      // No email: the holdout's touch, so the customer's orders count for the holdout arm.
      if (event.email.campaignId !== undefined)
        touchCampaign(profile, event.email.campaignId, "holdout", time);
      return;
    case "email_bounced":
      if (event.bounceType === "Permanent") suppress(profile, "hard_bounce", "Permanent bounce", time);
      return;
    case "sms_delivered":
      if (event.sms.campaignId !== undefined && event.sms.variant !== undefined) {
        touchCampaign(profile, event.sms.campaignId, event.sms.variant, time);
      }
      return;
    case "sms_clicked":
      // Like an email click: the campaign's touch, so an order after it counts for the text's variant.
      if (event.sms.campaignId !== undefined && event.sms.variant !== undefined) {
        touchCampaign(profile, event.sms.campaignId, event.sms.variant, time);
      }
      return;
    case "sms_failed":
      if (event.permanent) suppress(profile, "sms_failed", event.status, time);
      return;
    case "email_complained":
      suppress(profile, "complaint", event.email.campaignId ?? "complaint", time);
      return;
    case "unsubscribed":
      recordUnsubscribe(profile, event.unsubscribe.purpose, event.unsubscribe.list, time);
      return;
    case "consent_updated":
      recordConsent(profile, event.consent.purpose, event.consent.granted, event.consent.source, time);
      return;
    default:
      assertNever(event);
  }
}

/** Kinds about what was sent to the customer, not what the customer did. */
const NOT_THE_CUSTOMER: ReadonlySet<TailorEvent["kind"]> = new Set([
  "email_delivered",
  "email_bounced",
  "email_held_out",
  "sms_delivered",
  "sms_failed",
]);

/** First seen takes every event; last seen only what the customer did (not deliveries, bounces or holdouts). */
function touchSeen(profile: Profile, event: TailorEvent): void {
  const time = event.timestamp;
  profile.fs = Math.min(profile.fs ?? time, time);
  if (!NOT_THE_CUSTOMER.has(event.kind)) {
    profile.ls = Math.max(profile.ls ?? time, time);
  }
}

/** The all-time counter and last time of the kind, its recent buckets, and the custom name's counter. */
function count(profile: Profile, event: TailorEvent, now: number): void {
  const code = KIND_CODES[event.kind];
  const stats = profile.k[code] ?? { n: 0, l: event.timestamp };
  stats.n++;
  stats.l = Math.max(stats.l, event.timestamp);
  profile.k[code] = stats;
  if (isWindowKind(event.kind)) recordInWindows(profile, event.kind, event.timestamp, now);
  if (event.kind === "custom") profile.x = countCustomName(profile.x ?? {}, event.name, 1);
}

const AFFINITY_WEIGHT_OF: Partial<Record<ProductKind, number>> = {
  product_viewed: AFFINITY_WEIGHTS.view,
  product_added: AFFINITY_WEIGHTS.add,
  order_completed: AFFINITY_WEIGHTS.purchase,
};

/** Per-product recent counts and category affinity for each product line. */
function recordProducts(
  profile: Profile,
  kind: ProductKind,
  products: readonly Product[],
  time: number,
  now: number,
): void {
  const weight = AFFINITY_WEIGHT_OF[kind];
  for (const product of products) {
    recordProduct(profile, kind, product.productId, product.category, time, now);
    if (weight !== undefined && product.category !== undefined)
      addAffinity(profile, product.category, weight, time);
  }
}

/**
 * Puts a viewed product first in the recently-viewed list. A view older than the newest view already folded
 * only joins the end of the list, if absent and there is room.
 */
function viewed(profile: Profile, productId: string, newest: boolean): void {
  const list = profile.rv ?? [];
  if (newest) {
    profile.rv = [productId, ...list.filter((id) => id !== productId)].slice(0, RECENTLY_VIEWED_MAX);
  } else if (!list.includes(productId) && list.length < RECENTLY_VIEWED_MAX) {
    profile.rv = [...list, productId];
  }
}
