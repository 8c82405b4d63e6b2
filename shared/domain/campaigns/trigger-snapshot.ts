import { currencyExponent, type Product, type TailorEvent } from "../events/index.js";
import { type Cart, cartChangeOf, changeCart, type Profile } from "../profile/index.js";
import { type JourneyTrigger, TRIGGER_LINES_MAX, type TriggerLine } from "./contracts.js";

/**
 * Longest name or category a trigger line keeps (longer ones are cut with `…`): the snapshot travels in every
 * intent of the journey (profile outbox, queue message, timer item), so it stays small whatever the event says.
 */
export const TRIGGER_TEXT_MAX = 120;

const clip = (text: string | undefined): string | undefined =>
  text === undefined || text.length <= TRIGGER_TEXT_MAX ? text : `${text.slice(0, TRIGGER_TEXT_MAX - 1)}…`;

const major = (minor: number | undefined, currency: string): number | undefined =>
  minor === undefined ? undefined : minor / 10 ** currencyExponent(currency);

/** Keys whose value is `undefined` dropped, so the snapshot's JSON and its DynamoDB map agree. */
function defined<T extends object>(value: T): T {
  for (const key of Object.keys(value))
    if (Reflect.get(value, key) === undefined) Reflect.deleteProperty(value, key);
  return value;
}

function lineOf(
  productId: string,
  quantity: number,
  currency: string,
  details: { name?: string; category?: string; price?: number },
): TriggerLine {
  return defined({
    productId,
    quantity,
    name: clip(details.name),
    category: clip(details.category),
    price: major(details.price, currency),
  });
}

const productLine = (product: Product, currency: string): TriggerLine =>
  lineOf(product.productId, product.quantity, currency, product);

/** At most {@link TRIGGER_LINES_MAX} lines, and how many were left out. */
function bounded(lines: readonly TriggerLine[]): { lines: TriggerLine[]; moreLines?: number } {
  if (lines.length <= TRIGGER_LINES_MAX) return { lines: [...lines] };
  return { lines: lines.slice(0, TRIGGER_LINES_MAX), moreLines: lines.length - TRIGGER_LINES_MAX };
}

/**
 * The cart right after `trigger`: the cart before the batch (`before.ct`) with the cart changes of the batch's
 * events up to and including the trigger applied as the fold applies them, so a later event of the same batch
 * (a removal, an order) does not change what the journey remembers. Names come from the batch's events (the
 * stored cart keeps none); the catalog fills in the rest when the email is rendered.
 */
function cartAt(
  trigger: TailorEvent,
  before: Profile | undefined,
  after: Profile,
  sorted: readonly TailorEvent[],
): Cart | undefined {
  const scratch: Profile = {
    ...after,
    ct: before?.ct === undefined ? undefined : structuredClone(before.ct),
  };
  for (const event of sorted) {
    const change = cartChangeOf(event);
    if (change !== undefined) changeCart(scratch, change, event.timestamp);
    if (event === trigger) break;
  }
  return scratch.ct;
}

function namesIn(events: readonly TailorEvent[]): Map<string, Product> {
  const names = new Map<string, Product>();
  const keep = (product: Product) => {
    if (product.name !== undefined) names.set(product.productId, product);
  };
  for (const event of events) {
    if (event.kind === "product_added" || event.kind === "product_viewed") keep(event.product);
    if (event.kind === "cart_viewed") for (const product of event.cart.products ?? []) keep(product);
  }
  return names;
}

/**
 * The snapshot of the event that starts a journey (see {@link JourneyTrigger}), bounded to
 * {@link TRIGGER_LINES_MAX} lines and {@link TRIGGER_TEXT_MAX} characters per name:
 * - `Order Completed`: the order (number, totals, currency, lines);
 * - `Product Added`, `Cart Viewed`: the cart as it was right after the event (see {@link cartAt});
 * - `Checkout Started`: the checkout's lines as a cart;
 * - `Product Viewed`: the product;
 * - anything else: none (the email shows the profile only).
 * `sorted` is the customer's batch in fold order, `before` the profile before it and `after` the folded one.
 */
export function triggerSnapshot(
  event: TailorEvent,
  before: Profile | undefined,
  after: Profile,
  sorted: readonly TailorEvent[],
): JourneyTrigger | undefined {
  const at = event.timestamp;
  switch (event.kind) {
    case "order_completed": {
      const { order } = event;
      const currency = order.currency;
      return defined({
        kind: "order" as const,
        at,
        orderId: order.orderId,
        number: order.number,
        currency,
        total: major(order.total, currency),
        subtotal: major(order.subtotal, currency),
        shipping: major(order.shipping, currency),
        tax: major(order.tax, currency),
        discount: major(order.discount, currency),
        ...bounded(order.products.map((product) => productLine(product, currency))),
      });
    }
    case "product_viewed":
      return {
        kind: "product",
        at,
        currency: event.currency,
        product: productLine(event.product, event.currency),
      };
    case "checkout_started": {
      const { currency, products } = event.checkout;
      return { kind: "cart", at, currency, ...bounded(products.map((p) => productLine(p, currency))) };
    }
    case "product_added":
    case "cart_viewed": {
      const cart = cartAt(event, before, after, sorted);
      const names = namesIn(sorted.slice(0, sorted.indexOf(event) + 1));
      const currency = cart?.c ?? (event.kind === "cart_viewed" ? event.cart.currency : event.currency);
      const lines = (cart?.i ?? []).map((item) => {
        const known = names.get(item.p);
        return lineOf(item.p, item.q, currency, {
          name: known?.name,
          category: item.k ?? known?.category,
          price: item.m,
        });
      });
      return { kind: "cart", at, currency, ...bounded(lines) };
    }
    default:
      return undefined;
  }
}

/**
 * Most bytes (as JSON) one snapshot takes: every step of the journey carries it (profile outbox, queue message,
 * timer item), so 10 intents still fit one `SendMessageBatch` (256 KB) with room to spare.
 */
export const TRIGGER_BYTES_MAX = 8 * 1024;

/**
 * Most bytes (as JSON) the snapshots of one customer's batch add to the profile's outbox (`oi`, in the
 * 400 KB profile item), counted once per step: past it, further journeys keep their snapshot without lines.
 */
export const TRIGGER_BATCH_BYTES_MAX = 64 * 1024;

const encoder = new TextEncoder();

/** Size of `trigger` as JSON, in UTF-8 bytes. */
export const triggerBytes = (trigger: JourneyTrigger): number =>
  encoder.encode(JSON.stringify(trigger)).length;

/**
 * `trigger` with trailing lines dropped (and counted in `moreLines`) until it takes at most `maxBytes` as JSON;
 * the order or cart itself (number, totals, currency) is always kept.
 */
export function fitTrigger(trigger: JourneyTrigger, maxBytes: number): JourneyTrigger {
  if (trigger.kind !== "order" && trigger.kind !== "cart") return trigger;
  if (triggerBytes(trigger) <= maxBytes) return trigger;
  const all = trigger.lines.length + (trigger.moreLines ?? 0);
  const withLines = (kept: number): JourneyTrigger => ({
    ...trigger,
    lines: trigger.lines.slice(0, kept),
    ...(all > kept ? { moreLines: all - kept } : {}),
  });
  // The largest number of lines that fits: lines vary in size, so search on the whole snapshot's size.
  let low = 0;
  let high = trigger.lines.length - 1;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (triggerBytes(withLines(mid)) <= maxBytes) low = mid;
    else high = mid - 1;
  }
  return withLines(low);
}
