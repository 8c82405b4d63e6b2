import { CATEGORIES, type Category, type Product } from "./catalog.js";
import { chooseDevice, type Device } from "./devices.js";
import { priceOrder } from "./order-pricing.js";
import { PERSONA_BEHAVIOUR } from "./personas.js";
import { tasteOf } from "./product-picker.js";
import type { SimRecord } from "./records.js";
import {
  type Actor,
  identify,
  type Line,
  lineProperties,
  page,
  productProperties,
  track,
  usd,
} from "./segment-events.js";
import { anonymousActor, browserActor, userActor, type Visit } from "./shopper.js";

/** When a session starts and, for one opened from an e-mail click, the product and URL it lands on. */
export interface SessionPlan {
  readonly start: number;
  readonly landing?: { readonly product: Product; readonly url: string };
}

const DAY_MS = 86_400_000;
/** P(Order Refunded | Order Completed). */
export const REFUND_RATE = 0.02;
/** P(Product Removed) after each add. */
export const REMOVE_RATE = 0.08;
/** P(a session leaves after its landing page). */
const BOUNCE_RATE = 0.15;
/** P(a new visitor adds to the cart as a guest and signs up at the cart, not while browsing). */
export const GUEST_CART_RATE = 0.5;
/** P(a product view comes from a favourite category). */
const FAVOURITE_CATEGORY_RATE = 0.75;

const USER_AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
] as const;

const COUPONS = [
  { code: "SAVE10", rate: 0.1 },
  { code: "WELCOME15", rate: 0.15 },
  { code: "FLASH20", rate: 0.2 },
] as const;

function pathOf(url: string): string {
  return new URL(url).pathname;
}

/**
 * Simulates one visit to the shop: landing page, product views (mostly from favourite categories), adds and
 * the occasional removal, then maybe cart → checkout → order. A `new` customer signs up during their first
 * session (before any checkout; half of them at the cart, after adding to it as a guest). A known customer's
 * session runs on a browser ({@link Device}): on a new or shared one they browse anonymously and log in before
 * any checkout. Returns the epoch ms of the session's last event.
 */
export function runSession(visit: Visit, plan: SessionPlan): number {
  const { rng, timeline, picker, shopper } = visit;
  const { customer, state } = shopper;
  const behaviour = PERSONA_BEHAVIOUR[customer.persona];
  const taste = tasteOf(customer.persona);
  state.sessions++;
  const context = rng.chance(0.5)
    ? { timezone: customer.traits.timezone, locale: customer.traits.locale, userAgent: rng.pick(USER_AGENTS) }
    : undefined;
  const device: Device =
    !state.signedUp && state.anonymousId !== undefined
      ? { kind: "signup", anonymousId: state.anonymousId }
      : chooseDevice(rng, shopper, visit.devices);
  let actor: Actor =
    device.kind === "main"
      ? userActor(customer, context)
      : device.kind === "linked"
        ? browserActor(customer, device.anonymousId, context)
        : anonymousActor(device.anonymousId, context);
  let t = plan.start;
  const next = (): number => {
    t += 2_000 + Math.round(rng.exponential(25_000));
    return t;
  };

  // Sign-up or login: the identify carries the browser's anonymousId with the userId, keyed by the userId.
  let identified = state.signedUp && (device.kind === "main" || device.kind === "linked");
  const identifyNow = (): void => {
    identified = true;
    actor =
      device.kind === "main"
        ? userActor(customer, context)
        : browserActor(customer, device.anonymousId, context);
    timeline.push(identify(actor, next(), customer.traits));
    // A shared browser stays its first customer's: signing in there links nothing to this customer.
    if (device.kind === "signup" || device.kind === "new") {
      state.devices.push(device.anonymousId);
      visit.devices.link(device.anonymousId, customer.id);
    }
  };
  const signUp = (): void => {
    state.signedUp = true;
    state.consent = customer.marketingConsent;
    identifyNow();
    timeline.push(
      track(actor, next(), "Consent Updated", {
        purpose: "marketing_email",
        granted: customer.marketingConsent,
        source: "signup_form",
      }),
    );
  };
  const logIn = state.signedUp ? identifyNow : signUp;

  if (identified && rng.chance(0.05)) timeline.push(identify(actor, t, customer.traits));

  const viewProduct = (product: Product): void => {
    timeline.push(track(actor, next(), "Product Viewed", productProperties(product)));
  };

  let views: number;
  let lastCategory: Category | undefined;
  if (plan.landing === undefined) {
    const landsOnHome = rng.chance(0.6);
    lastCategory = landsOnHome ? undefined : rng.pick(customer.favouriteCategories);
    timeline.push(lastCategory === undefined ? homePage(actor, t) : categoryPage(actor, t, lastCategory));
    views = rng.chance(BOUNCE_RATE) ? 0 : 1 + rng.poisson(behaviour.viewsPerSession - 1);
  } else {
    const { product, url } = plan.landing;
    timeline.push(page(actor, t, "Product", { title: product.name, url, path: pathOf(url) }));
    viewProduct(product);
    lastCategory = product.category;
    views = rng.poisson(behaviour.viewsPerSession - 1);
  }
  // A guest cart: the new visitor adds to the cart anonymously and signs up at the cart.
  const guestCart = device.kind === "signup" && rng.chance(GUEST_CART_RATE);
  if (guestCart) views = Math.max(1, views);

  if (rng.chance(behaviour.searchRate)) {
    const query = rng.pick(customer.favouriteCategories);
    timeline.push(track(actor, next(), "Products Searched", { query }));
  }

  const identifyAfter = identified ? -1 : guestCart ? views : rng.int(views + 1);
  const cartId = `cart-${customer.id}-${state.sessions}`;
  const cart = new Map<string, Line>();
  const addRate = behaviour.addRate * customer.conversion;
  for (let v = 0; v < views; v++) {
    if (v === identifyAfter) logIn();
    const category = rng.chance(FAVOURITE_CATEGORY_RATE)
      ? rng.pick(customer.favouriteCategories)
      : rng.pick(CATEGORIES);
    if (category !== lastCategory && rng.chance(0.5)) timeline.push(categoryPage(actor, next(), category));
    lastCategory = category;
    const product = picker.draw(rng, category, taste);
    viewProduct(product);
    const mustAdd = guestCart && cart.size === 0;
    if (!product.inStock || !(mustAdd || rng.chance(addRate))) continue;

    const quantity = product.category === "grocery" ? rng.intBetween(1, 3) : rng.chance(0.9) ? 1 : 2;
    const line = cart.get(product.productId) ?? { product, quantity: 0 };
    line.quantity += quantity;
    cart.set(product.productId, line);
    timeline.push(
      track(actor, next(), "Product Added", { cart_id: cartId, ...lineProperties({ product, quantity }) }),
    );
    if (rng.chance(REMOVE_RATE)) {
      const removed = rng.pick([...cart.values()]);
      cart.delete(removed.product.productId);
      timeline.push(track(actor, next(), "Product Removed", { cart_id: cartId, ...lineProperties(removed) }));
    }
  }
  if (!identified) logIn();

  const lines = [...cart.values()];
  if (lines.length > 0) {
    const checksOut = rng.chance(behaviour.checkoutRate);
    if (checksOut || rng.chance(0.35)) {
      timeline.push(
        track(actor, next(), "Cart Viewed", { cart_id: cartId, products: lines.map(lineProperties) }),
      );
    }
    if (checksOut) checkout(visit, actor, next(), lines, next);
  }

  if (rng.chance(0.004)) {
    state.consent = !state.consent;
    if (state.consent) state.unsubscribed = false;
    timeline.push(
      track(actor, next(), "Consent Updated", {
        purpose: "marketing_email",
        granted: state.consent,
        source: "preference_center",
      }),
    );
  }
  return t;
}

/** The shop's home page view. */
export function homePage(actor: Actor, at: number): SimRecord {
  return page(actor, at, "Home", { title: "Home", url: "https://example.com/", path: "/" });
}

function categoryPage(actor: Actor, at: number, category: Category): SimRecord {
  const title = category.charAt(0).toUpperCase() + category.slice(1);
  return page(actor, at, "Category", {
    category,
    title,
    url: `https://example.com/c/${category}`,
    path: `/c/${category}`,
  });
}

function checkout(visit: Visit, actor: Actor, at: number, lines: readonly Line[], next: () => number): void {
  const { rng, timeline, shopper } = visit;
  const { customer, state } = shopper;
  const behaviour = PERSONA_BEHAVIOUR[customer.persona];
  state.checkouts++;
  const orderId = `ord-${customer.id}-${state.checkouts}`;
  const coupon = rng.chance(behaviour.couponRate) ? rng.pick(COUPONS) : undefined;
  const amounts = priceOrder(lines, coupon?.rate ?? 0);
  timeline.push(
    track(actor, at, "Checkout Started", {
      order_id: orderId,
      value: usd(amounts.total),
      revenue: usd(amounts.revenue),
      currency: "USD",
      products: lines.map(lineProperties),
    }),
  );
  if (!rng.chance(behaviour.orderRate)) return;

  const orderedAt = next();
  timeline.push(
    track(actor, orderedAt, "Order Completed", {
      order_id: orderId,
      total: usd(amounts.total),
      subtotal: usd(amounts.subtotal),
      revenue: usd(amounts.revenue),
      shipping: usd(amounts.shipping),
      tax: usd(amounts.tax),
      discount: usd(amounts.discount),
      ...(coupon === undefined ? {} : { coupon: coupon.code }),
      currency: "USD",
      products: lines.map(lineProperties),
    }),
  );
  if (rng.chance(REFUND_RATE)) {
    const refundedAt = orderedAt + Math.round(rng.between(2, 14) * DAY_MS);
    timeline.push(
      track(userActor(customer, undefined), refundedAt, "Order Refunded", {
        order_id: orderId,
        total: usd(amounts.total),
        currency: "USD",
        products: lines.map(lineProperties),
      }),
    );
  }
}
