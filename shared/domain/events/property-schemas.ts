import { z } from "zod";
import {
  amountField,
  booleanField,
  currencyField,
  idField,
  nameField,
  purposeField,
  quantityField,
  urlField,
} from "./field-schemas.js";
import { PAGE_KEYWORD_MAX, PAGE_KEYWORDS_MAX, PRODUCTS_MAX } from "./limits.js";

/** Segment product fields, shared by product events and `products[]` entries (`id` is the v1 product key). */
const productShape = {
  product_id: idField.optional(),
  id: idField.optional(),
  sku: idField.optional(),
  category: nameField.optional(),
  name: nameField.optional(),
  brand: nameField.optional(),
  price: amountField.optional(),
  quantity: quantityField.optional(),
};

/** A product needs `product_id`, `id` (v1) or `sku`; checked even when other fields fail. */
function requireProductId(
  value: { product_id?: string; id?: string; sku?: string },
  ctx: z.RefinementCtx,
): void {
  if (value.product_id === undefined && value.id === undefined && value.sku === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["product_id"],
      message: "required: expected product_id, id or sku",
      params: { rule: "required" },
    });
  }
}

const always = { when: () => true };

/** One entry of `products[]`. */
export const productSchema = z
  .object(productShape, { error: "expected a product object" })
  .superRefine(requireProductId, always);

/** A parsed product entry. */
export type RawProduct = z.infer<typeof productSchema>;

const productsField = z
  .array(productSchema, { error: "expected an array of products" })
  .max(PRODUCTS_MAX, { error: `expected at most ${PRODUCTS_MAX} products` });

/** `Product Viewed` / `Product Added` / `Product Removed` properties. */
export const productEventSchema = z
  .object({ ...productShape, currency: currencyField.optional() })
  .superRefine(requireProductId, always);

/** `Cart Viewed` properties. */
export const cartViewedSchema = z.object({
  cart_id: idField.optional(),
  products: productsField.optional(),
  currency: currencyField.optional(),
});

/** `Checkout Started` properties. */
export const checkoutStartedSchema = z.object({
  order_id: idField.optional(),
  value: amountField.optional(),
  revenue: amountField.optional(),
  currency: currencyField.optional(),
  products: productsField.optional(),
});

/** `Order Completed` properties; `Order Cancelled` carries the same. */
export const orderCompletedSchema = z.object({
  order_id: idField,
  /** Not in Segment's spec, sent by many shops: the number customers see (`#1042`). */
  order_number: idField.optional(),
  total: amountField.optional(),
  revenue: amountField.optional(),
  subtotal: amountField.optional(),
  shipping: amountField.optional(),
  tax: amountField.optional(),
  discount: amountField.optional(),
  currency: currencyField.optional(),
  products: productsField.optional(),
});

/** `Order Refunded` properties. */
export const orderRefundedSchema = z.object({
  order_id: idField,
  total: amountField.optional(),
  currency: currencyField.optional(),
  products: productsField.optional(),
});

/** Properties of Tailor's email events: `message_id` is the email's id. */
export const emailEventSchema = z.object({
  message_id: idField,
  campaign_id: idField.optional(),
  variant: idField.optional(),
  url: urlField.optional(),
});

/** `Email Bounced` properties. */
export const emailBouncedSchema = emailEventSchema.extend({
  bounce_type: z.enum(["Permanent", "Transient"], { error: 'expected "Permanent" or "Transient"' }),
});

/** `SMS Delivered` properties: `message_id` is the text's id. */
export const smsEventSchema = z.object({
  message_id: idField,
  campaign_id: idField.optional(),
  variant: idField.optional(),
});

/** `SMS Clicked` properties: the text's link that was followed (through Tailor's short link). */
export const smsClickedSchema = smsEventSchema.extend({ url: urlField.optional() });

/** `SMS Failed` properties. */
export const smsFailedSchema = smsEventSchema.extend({
  status: idField,
  permanent: booleanField,
});

/** `Unsubscribed` properties. */
export const unsubscribedSchema = z.object({
  purpose: purposeField.optional(),
  list: nameField.optional(),
  campaign_id: idField.optional(),
});

/** `Consent Updated` properties. */
export const consentUpdatedSchema = z.object({
  purpose: purposeField,
  granted: booleanField,
  source: nameField.optional(),
});

/**
 * Page keywords, leniently: an array's non-empty strings or a comma-separated text, trimmed, at most
 * {@link PAGE_KEYWORDS_MAX} of at most {@link PAGE_KEYWORD_MAX} characters (longer ones are left out); anything
 * else is no keywords. A page view is never refused for its keywords (they were free-form before Tailor read them).
 */
function readKeywords(value: unknown): string[] | undefined {
  const raw = typeof value === "string" ? value.split(",") : Array.isArray(value) ? value : [];
  const keywords = raw
    .filter((entry): entry is string => typeof entry === "string")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "" && entry.length <= PAGE_KEYWORD_MAX)
    .slice(0, PAGE_KEYWORDS_MAX);
  return keywords.length > 0 ? keywords : undefined;
}

/** `page` properties (the top-level `name`/`category` are read from the envelope). */
export const pageSchema = z.object({
  name: nameField.optional(),
  category: nameField.optional(),
  url: urlField.optional(),
  path: urlField.optional(),
  title: nameField.optional(),
  referrer: urlField.optional(),
  /** Tailor's: the id of the content library item the page shows (an article, a tip, a guide). */
  content_id: idField.optional(),
  /**
   * Segment's reserved page property: keywords describing the page's content (as in an SEO meta tag). On a
   * content page they are the item's interest tags; at most {@link PAGE_KEYWORDS_MAX} are kept.
   */
  keywords: z.preprocess(readKeywords, z.array(z.string()).optional()),
});
