import type { z } from "zod";
import { EVENT_NAMES, type TrackKind } from "./event-kinds.js";
import type { Product, TailorEvent } from "./event-types.js";
import type { ValidationIssue } from "./event-validation-error.js";
import { DEFAULT_CURRENCY, type MinorAmount, moneyIssues, toMinorUnits } from "./money.js";
import {
  cartViewedSchema,
  checkoutStartedSchema,
  consentUpdatedSchema,
  emailBouncedSchema,
  emailEventSchema,
  orderCompletedSchema,
  orderRefundedSchema,
  pageSchema,
  productEventSchema,
  type RawProduct,
  smsClickedSchema,
  smsEventSchema,
  smsFailedSchema,
  unsubscribedSchema,
} from "./property-schemas.js";
import { freeFormScalars } from "./read-traits.js";
import { type Checked, check } from "./zod-issues.js";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The kind-specific part of an event: everything but the envelope fields. */
export type EventBody = DistributiveOmit<
  Exclude<TailorEvent, { kind: "identify" }>,
  "messageId" | "customerId" | "userId" | "anonymousId" | "timestamp" | "context" | "traits"
>;

const PROPERTIES = ["properties"] as const;

/**
 * Validates `properties` for a track event of `kind` and builds its typed body. Money is checked once in minor
 * units: an amount, a line's price × quantity or the lines' sum over {@link MONEY_MINOR_MAX} is an error.
 */
export function readTrackBody(
  kind: TrackKind | "custom",
  name: string,
  properties: Record<string, unknown>,
): Checked<EventBody> {
  const read = <T>(
    schema: z.ZodType<T>,
    build: (value: T) => EventBody | ValidationIssue[],
  ): Checked<EventBody> => {
    const result = check(schema, properties, PROPERTIES);
    if (!result.ok) return result;
    const built = build(result.value);
    return Array.isArray(built) ? { ok: false, issues: built } : { ok: true, value: built };
  };
  switch (kind) {
    case "product_viewed":
    case "product_added":
    case "product_removed":
      return read(productEventSchema, (p) => {
        const currency = p.currency ?? DEFAULT_CURRENCY;
        const product = toProduct(p, currency);
        const line = product.price === undefined ? undefined : product.price * product.quantity;
        const issues = moneyIssues(currency, [
          { path: ["price"], what: "a price", minor: product.price },
          { path: ["price"], what: "price × quantity", minor: line },
        ]);
        return issues.length > 0 ? issues.slice(0, 1) : { kind, name: EVENT_NAMES[kind], currency, product };
      });
    case "cart_viewed":
      return read(cartViewedSchema, (p) => {
        const currency = p.currency ?? DEFAULT_CURRENCY;
        const products = p.products?.map((item) => toProduct(item, currency));
        const issues = moneyIssues(currency, [linesSum(products ?? [])]);
        if (issues.length > 0) return issues;
        return { kind, name: EVENT_NAMES[kind], cart: { cartId: p.cart_id, products, currency } };
      });
    case "checkout_started":
      return read(checkoutStartedSchema, (p) => {
        const currency = p.currency ?? DEFAULT_CURRENCY;
        const value = p.value ?? p.revenue;
        const products = (p.products ?? []).map((item) => toProduct(item, currency));
        const issues = moneyIssues(currency, [
          {
            path: [p.value === undefined ? "revenue" : "value"],
            what: "a value",
            minor: minor(value, currency),
          },
          linesSum(products),
        ]);
        if (issues.length > 0) return issues;
        return {
          kind,
          name: EVENT_NAMES[kind],
          checkout: {
            orderId: p.order_id,
            value: value === undefined ? sumProducts(products) : toMinorUnits(value, currency),
            currency,
            products,
          },
        };
      });
    case "order_completed":
      return read(orderCompletedSchema, (p) => {
        const currency = p.currency ?? DEFAULT_CURRENCY;
        const products = (p.products ?? []).map((item) => toProduct(item, currency));
        const issues = moneyIssues(currency, [
          { path: ["total"], what: "a total", minor: minor(p.total, currency) },
          { path: ["revenue"], what: "a revenue", minor: minor(p.revenue, currency) },
          { path: ["subtotal"], what: "a subtotal", minor: minor(p.subtotal, currency) },
          { path: ["shipping"], what: "a shipping amount", minor: minor(p.shipping, currency) },
          { path: ["tax"], what: "a tax", minor: minor(p.tax, currency) },
          { path: ["discount"], what: "a discount", minor: minor(p.discount, currency) },
          linesSum(products),
        ]);
        if (issues.length > 0) return issues;
        return {
          kind,
          name: EVENT_NAMES[kind],
          order: {
            orderId: p.order_id,
            number: p.order_number,
            total: minor(p.total ?? p.revenue, currency) ?? sumProducts(products) ?? 0,
            revenue: minor(p.revenue, currency),
            subtotal: minor(p.subtotal, currency),
            shipping: minor(p.shipping, currency),
            tax: minor(p.tax, currency),
            discount: minor(p.discount, currency),
            currency,
            products,
          },
        };
      });
    case "order_refunded":
      return read(orderRefundedSchema, (p) => {
        const currency = p.currency ?? DEFAULT_CURRENCY;
        const products = (p.products ?? []).map((item) => toProduct(item, currency));
        const total = minor(p.total, currency) ?? sumProducts(products);
        const issues = moneyIssues(currency, [
          { path: ["total"], what: "a total", minor: minor(p.total, currency) },
          linesSum(products),
        ]);
        if (issues.length > 0) return issues;
        const refund = { orderId: p.order_id, currency, products };
        return { kind, name: EVENT_NAMES[kind], refund: total === undefined ? refund : { ...refund, total } };
      });
    case "order_cancelled":
      return read(orderCompletedSchema, (p) => {
        const currency = p.currency ?? DEFAULT_CURRENCY;
        const products = (p.products ?? []).map((item) => toProduct(item, currency));
        const total = minor(p.total ?? p.revenue, currency) ?? sumProducts(products);
        const issues = moneyIssues(currency, [
          { path: [p.total === undefined ? "revenue" : "total"], what: "a total", minor: total },
          linesSum(products),
        ]);
        if (issues.length > 0) return issues;
        const cancel = { orderId: p.order_id, currency, products };
        return { kind, name: EVENT_NAMES[kind], cancel: total === undefined ? cancel : { ...cancel, total } };
      });
    case "email_delivered":
    case "email_opened":
    case "email_clicked":
    case "email_complained":
    case "email_held_out":
      return read(emailEventSchema, (p) => ({
        kind,
        name: EVENT_NAMES[kind],
        email: { messageId: p.message_id, campaignId: p.campaign_id, variant: p.variant, url: p.url },
      }));
    case "email_bounced":
      return read(emailBouncedSchema, (p) => ({
        kind,
        name: EVENT_NAMES[kind],
        bounceType: p.bounce_type,
        email: { messageId: p.message_id, campaignId: p.campaign_id, variant: p.variant, url: p.url },
      }));
    case "sms_delivered":
      return read(smsEventSchema, (p) => ({
        kind,
        name: EVENT_NAMES[kind],
        sms: { messageId: p.message_id, campaignId: p.campaign_id, variant: p.variant },
      }));
    case "sms_clicked":
      return read(smsClickedSchema, (p) => ({
        kind,
        name: EVENT_NAMES[kind],
        sms: { messageId: p.message_id, campaignId: p.campaign_id, variant: p.variant, url: p.url },
      }));
    case "sms_failed":
      return read(smsFailedSchema, (p) => ({
        kind,
        name: EVENT_NAMES[kind],
        status: p.status,
        permanent: p.permanent,
        sms: { messageId: p.message_id, campaignId: p.campaign_id, variant: p.variant },
      }));
    case "unsubscribed":
      return read(unsubscribedSchema, (p) => ({
        kind,
        name: EVENT_NAMES[kind],
        unsubscribe: { purpose: p.purpose ?? "marketing_email", list: p.list, campaignId: p.campaign_id },
      }));
    case "consent_updated":
      return read(consentUpdatedSchema, (p) => ({
        kind,
        name: EVENT_NAMES[kind],
        consent: { purpose: p.purpose, granted: p.granted, source: p.source },
      }));
    case "custom":
      return { ok: true, value: { kind, name, properties: freeFormScalars(properties) } };
  }
}

/** Validates a page view's properties; the envelope's `name`/`category` win over the properties'. */
export function readPageBody(
  properties: Record<string, unknown>,
  envelope: { name?: string | null; category?: string | null },
): Checked<EventBody> {
  const result = check(pageSchema, properties, PROPERTIES);
  if (!result.ok) return result;
  const p = result.value;
  return {
    ok: true,
    value: {
      kind: "page",
      name: EVENT_NAMES.page,
      page: {
        name: envelope.name ?? p.name,
        category: envelope.category ?? p.category,
        url: p.url,
        path: p.path,
        title: p.title,
        referrer: p.referrer,
        ...(p.content_id === undefined ? {} : { contentId: p.content_id }),
        ...(p.keywords === undefined ? {} : { keywords: p.keywords }),
      },
    },
  };
}

function toProduct(p: RawProduct, currency: string): Product {
  return {
    // requireProductId guarantees one of the three; the empty fallback only satisfies the type
    productId: p.product_id ?? p.id ?? p.sku ?? "",
    sku: p.sku,
    category: p.category,
    name: p.name,
    brand: p.brand,
    price: p.price === undefined ? undefined : toMinorUnits(p.price, currency),
    quantity: p.quantity ?? 1,
  };
}

function minor(amount: number | undefined, currency: string): number | undefined {
  return amount === undefined ? undefined : toMinorUnits(amount, currency);
}

/** The lines' Σ price × quantity as an amount to bound (it also bounds each price and each line). */
function linesSum(products: readonly Product[]): MinorAmount {
  return { path: ["products"], what: "Σ price × quantity", minor: sumProducts(products) };
}

/** Σ price × quantity in minor units, or undefined when no product has a price. */
function sumProducts(products: readonly Product[]): number | undefined {
  let sum: number | undefined;
  for (const { price, quantity } of products) {
    if (price !== undefined) sum = (sum ?? 0) + price * quantity;
  }
  return sum;
}
