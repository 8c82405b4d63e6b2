import { type Line, priceCents } from "./segment-events.js";

/** Sales tax applied to revenue (a flat simplification). */
export const TAX_RATE = 0.08;
/** Orders with a subtotal at or above this ship free. */
export const FREE_SHIPPING_FROM_CENTS = 5_000;
export const SHIPPING_CENTS = 499;

/** An order's amounts in cents: revenue = subtotal − discount; total = revenue + shipping + tax. */
export interface OrderAmounts {
  readonly subtotal: number;
  readonly discount: number;
  readonly revenue: number;
  readonly shipping: number;
  readonly tax: number;
  readonly total: number;
}

/** Prices an order; `discountRate` is the coupon's share off the subtotal (0 without a coupon). */
export function priceOrder(lines: readonly Line[], discountRate: number): OrderAmounts {
  const subtotal = lines.reduce((sum, line) => sum + priceCents(line.product) * line.quantity, 0);
  const discount = Math.round(subtotal * discountRate);
  const revenue = subtotal - discount;
  const shipping = subtotal >= FREE_SHIPPING_FROM_CENTS ? 0 : SHIPPING_CENTS;
  const tax = Math.round(revenue * TAX_RATE);
  return { subtotal, discount, revenue, shipping, tax, total: revenue + shipping + tax };
}
