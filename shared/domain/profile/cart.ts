import { DEFAULT_CURRENCY, type Product, QUANTITY_MAX, type TailorEvent } from "../events/index.js";
import { CART_ITEMS_MAX, type Cart, type CartItem, type Profile } from "./profile.js";

/** How an event changes the cart. */
export type CartChange =
  | { readonly op: "add" | "remove"; readonly product: Product; readonly currency: string }
  | { readonly op: "replace"; readonly products: readonly Product[]; readonly currency: string }
  | { readonly op: "clear" };

/**
 * Applies a cart change made at `time`. The cart is a snapshot, so a change older than the cart's last
 * change (`u`) is ignored: a late `Product Added` must not resurrect an item a newer order already bought.
 */
export function changeCart(profile: Profile, change: CartChange, time: number): void {
  const current = profile.ct;
  if (current !== undefined && time < current.u) return;
  const cart: Cart = current ?? {
    u: time,
    c: change.op === "clear" ? DEFAULT_CURRENCY : change.currency,
    i: [],
  };
  cart.u = time;
  switch (change.op) {
    case "clear":
      cart.i = [];
      break;
    case "replace":
      cart.c = change.currency;
      cart.i = change.products
        .slice(-CART_ITEMS_MAX)
        .map((product) => toItem(product, cart.c, change.currency));
      break;
    case "add": {
      if (cart.i.length === 0) cart.c = change.currency;
      const { product } = change;
      const item = cart.i.find((line) => line.p === product.productId);
      const fresh = toItem(product, cart.c, change.currency);
      if (item === undefined) {
        cart.i = [...cart.i, fresh].slice(-CART_ITEMS_MAX);
      } else {
        item.q = Math.min(QUANTITY_MAX, item.q + product.quantity);
        item.m = fresh.m ?? item.m;
        item.k = fresh.k ?? item.k;
      }
      break;
    }
    case "remove": {
      const { product } = change;
      cart.i = cart.i.flatMap((line) => {
        if (line.p !== product.productId) return [line];
        const left = line.q - product.quantity;
        return left > 0 ? [{ ...line, q: left }] : [];
      });
      break;
    }
  }
  profile.ct = cart;
}

/** Value of the open cart in minor units of its currency (lines without a known price count as 0). */
export function cartValue(profile: Profile): number {
  return (profile.ct?.i ?? []).reduce((sum, line) => sum + (line.m ?? 0) * line.q, 0);
}

function toItem(product: Product, cartCurrency: string, currency: string): CartItem {
  return {
    p: product.productId,
    q: product.quantity,
    m: currency === cartCurrency ? product.price : undefined,
    k: product.category,
  };
}

/** How `event` changes the cart, if it does (as the fold applies it). */
export function cartChangeOf(event: TailorEvent): CartChange | undefined {
  switch (event.kind) {
    case "product_added":
      return { op: "add", product: event.product, currency: event.currency };
    case "product_removed":
      return { op: "remove", product: event.product, currency: event.currency };
    case "cart_viewed":
      return event.cart.products === undefined
        ? undefined
        : { op: "replace", products: event.cart.products, currency: event.cart.currency };
    case "order_completed":
      return { op: "clear" };
    default:
      return undefined;
  }
}
