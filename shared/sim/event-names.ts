/** The Segment e-commerce v2 events the simulated shop emits. */
export const ECOMMERCE_EVENTS = [
  "Products Searched",
  "Product Viewed",
  "Product Added",
  "Product Removed",
  "Cart Viewed",
  "Checkout Started",
  "Order Completed",
  "Order Refunded",
] as const;

/** Tailor's own e-mail and consent events the simulated shop emits. */
export const EMAIL_EVENTS = [
  "Email Delivered",
  "Email Opened",
  "Email Clicked",
  "Email Bounced",
  "Email Complained",
  "Unsubscribed",
  "Consent Updated",
] as const;
