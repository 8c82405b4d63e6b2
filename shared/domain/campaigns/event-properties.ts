import { assertNever } from "#shared/errors.js";
import type { Product, Scalar, TailorEvent } from "../events/index.js";
import type { PropertyTest } from "./definition.js";

type Props = Record<string, Scalar>;

/** Keeps the defined entries. */
function defined(entries: Record<string, Scalar | undefined>): Props {
  const out: Props = {};
  for (const [key, value] of Object.entries(entries)) if (value !== undefined) out[key] = value;
  return out;
}

function productProps(product: Product): Props {
  return defined({
    product_id: product.productId,
    sku: product.sku,
    category: product.category,
    name: product.name,
    brand: product.brand,
    price: product.price,
    quantity: product.quantity,
  });
}

/**
 * The properties a trigger's `where` tests, by event kind, in the spec's snake_case: product fields for
 * product events (money in minor units), `order_id`/`total`/`currency` for orders, the traits (custom traits
 * by their own key) for `Identify`, the properties of a custom event.
 */
export function eventProperties(event: TailorEvent): Props {
  switch (event.kind) {
    case "identify": {
      const { custom, ...known } = event.traits;
      return { ...defined(custom ?? {}), ...defined({ ...known }) };
    }
    case "page": {
      // Keywords are a list, not a scalar a `where` tests; the content id keeps the spec's name.
      const { keywords: _keywords, contentId, ...page } = event.page;
      return defined({ ...page, content_id: contentId });
    }
    case "screen":
      return defined({ ...event.screen });
    case "group":
      return { ...event.group.traits, group_id: event.group.groupId };
    case "alias":
      return { previous_id: event.alias.previousId };
    case "product_viewed":
    case "product_added":
    case "product_removed":
      return { ...productProps(event.product), currency: event.currency };
    case "cart_viewed":
      return defined({ cart_id: event.cart.cartId, currency: event.cart.currency });
    case "checkout_started":
      return defined({
        order_id: event.checkout.orderId,
        value: event.checkout.value,
        currency: event.checkout.currency,
      });
    case "order_completed":
      return defined({
        order_id: event.order.orderId,
        total: event.order.total,
        revenue: event.order.revenue,
        discount: event.order.discount,
        currency: event.order.currency,
      });
    case "order_refunded":
      return defined({
        order_id: event.refund.orderId,
        total: event.refund.total,
        currency: event.refund.currency,
      });
    case "order_cancelled":
      return defined({
        order_id: event.cancel.orderId,
        total: event.cancel.total,
        currency: event.cancel.currency,
      });
    case "email_delivered":
    case "email_opened":
    case "email_clicked":
    case "email_complained":
    case "email_held_out":
      return defined({
        campaign_id: event.email.campaignId,
        variant: event.email.variant,
        url: event.email.url,
      });
    case "email_bounced":
      return defined({ campaign_id: event.email.campaignId, bounce_type: event.bounceType });
    case "sms_delivered":
      return defined({ campaign_id: event.sms.campaignId, variant: event.sms.variant });
    case "sms_clicked":
      return defined({ campaign_id: event.sms.campaignId, variant: event.sms.variant, url: event.sms.url });
    case "sms_failed":
      return defined({ campaign_id: event.sms.campaignId, status: event.status, permanent: event.permanent });
    case "unsubscribed":
      return defined({
        purpose: event.unsubscribe.purpose,
        list: event.unsubscribe.list,
        campaign_id: event.unsubscribe.campaignId,
      });
    case "consent_updated":
      return defined({
        purpose: event.consent.purpose,
        granted: event.consent.granted,
        source: event.consent.source,
      });
    case "custom":
      return { ...event.properties };
    default:
      return assertNever(event);
  }
}

/** Whether the event's properties pass every test. */
export function matchesWhere(
  event: TailorEvent,
  where: Readonly<Record<string, PropertyTest>> | undefined,
): boolean {
  if (where === undefined) return true;
  const props = eventProperties(event);
  return Object.entries(where).every(([key, test]) => {
    const value = Object.hasOwn(props, key) ? props[key] : undefined;
    switch (test.op) {
      case "eq":
        return value === test.value;
      case "in":
        return value !== undefined && test.values.includes(value);
      case "exists":
        return (value !== undefined) === test.value;
      default:
        return assertNever(test);
    }
  });
}
