import type { JourneyTrigger, TriggerLine } from "../domain/campaigns/contracts.js";
import type { CatalogProduct } from "../ports.js";
import type { TriggerCartView, TriggerLineView, TriggerOrderView, TriggerView } from "./render-context.js";

const iso = (time: number) => new Date(time).toISOString();
const cents = (amount: number) => Math.round(amount * 100) / 100;

/** Drops keys whose value is `undefined`, so strict Liquid sees them as absent. */
function absentIfUndefined<T extends object>(value: T): T {
  for (const key of Object.keys(value))
    if (Reflect.get(value, key) === undefined) Reflect.deleteProperty(value, key);
  return value;
}

/** The product ids a trigger names, to look up in the catalog with the rest of the email's products. */
export function triggerProductIds(trigger: JourneyTrigger | undefined): string[] {
  switch (trigger?.kind) {
    case "order":
    case "cart":
      return trigger.lines.map((line) => line.productId);
    case "product":
      return [trigger.product.productId];
    case "catalog":
      return [trigger.change.productId];
    default:
      return [];
  }
}

function lineView(line: TriggerLine, products: ReadonlyMap<string, CatalogProduct>): TriggerLineView {
  const product = products.get(line.productId);
  return absentIfUndefined({
    product_id: line.productId,
    quantity: line.quantity,
    name: line.name ?? product?.name,
    category: line.category ?? product?.category,
    url: product?.url,
    image_url: product?.imageUrl,
    price: line.price,
    line_total: line.price === undefined ? undefined : cents(line.price * line.quantity),
  });
}

const countOf = (lines: readonly TriggerLineView[]) => lines.reduce((sum, line) => sum + line.quantity, 0);

/**
 * `trigger` of the Liquid context (see `render-context.ts`): the order or cart the journey started from, as
 * the event said, with names, links and images from the catalog where the product is known.
 */
export function triggerView(
  trigger: JourneyTrigger | undefined,
  products: ReadonlyMap<string, CatalogProduct>,
): TriggerView | undefined {
  switch (trigger?.kind) {
    case undefined:
      return undefined;
    case "order": {
      const lines = trigger.lines.map((line) => lineView(line, products));
      const order: TriggerOrderView = absentIfUndefined({
        id: trigger.orderId,
        number: trigger.number ?? trigger.orderId,
        placed_at: iso(trigger.at),
        currency: trigger.currency,
        total: trigger.total,
        subtotal: trigger.subtotal,
        shipping: trigger.shipping,
        tax: trigger.tax,
        discount: trigger.discount,
        lines,
        more_lines: trigger.moreLines ?? 0,
        count: countOf(lines),
      });
      return { kind: "order", at: iso(trigger.at), order };
    }
    case "cart": {
      const items = trigger.lines.map((line) => lineView(line, products));
      const cart: TriggerCartView = {
        items,
        more_items: trigger.moreLines ?? 0,
        count: countOf(items),
        total: cents(items.reduce((sum, line) => sum + (line.line_total ?? 0), 0)),
        currency: trigger.currency,
        at: iso(trigger.at),
      };
      return { kind: "cart", at: iso(trigger.at), cart };
    }
    case "product":
      return {
        kind: "product",
        at: iso(trigger.at),
        product: { ...lineView(trigger.product, products), currency: trigger.currency },
      };
    case "catalog":
      return { kind: "catalog", at: iso(trigger.change.at) };
  }
}
