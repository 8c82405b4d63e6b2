import type { Context } from "liquidjs";
import type { CopyCatalog, ResolvedCopy } from "./copy-locales.js";
import { formatMessage } from "./copy-messages.js";
import { DEFAULT_LOCALE } from "./intl-cache.js";
import { type FilterImpl, scopeString } from "./liquid-filters.js";

const NO_VALUES: ReadonlyMap<string, unknown> = new Map();

/** The name of the copy filter: `{{ "cart.title" | t }}`. */
export const TRANSLATE_FILTER = "t";

/**
 * The `t` filter over `catalog`: `{{ "cart.title" | t }}`, `{{ "welcome.title" | t: name: name }}`,
 * `{% assign line = "cart.waiting" | t: count: cart.count %}`. The key is looked up in the copy of the
 * customer's locale (`customer.locale`, through the fallback chain of {@link CopyCatalog.resolve}); values are
 * passed by name and fill the message's `{name}` placeholders (numbers formatted in the customer's locale);
 * `count` picks the plural form. An unknown key or a missing value throws, so the sample renders of the build
 * catch it. Without a catalog (templates built with no `locales.yaml`) every lookup throws.
 */
export function translateFilter(catalog: CopyCatalog | undefined) {
  // The copy of one render, found at its first lookup: a render is for one recipient.
  const perRender = new WeakMap<Context, ResolvedCopy>();
  return function t(this: FilterImpl, key: unknown, ...args: unknown[]): string {
    if (typeof key !== "string")
      throw new Error('t: apply it to a key written as text, e.g. {{ "cart.title" | t }}');
    if (catalog === undefined) throw new Error(`t: no copy for "${key}": the templates have no locales.yaml`);
    let resolved = perRender.get(this.context);
    if (resolved === undefined) {
      resolved = catalog.resolve(scopeString(this, ["customer", "locale"], DEFAULT_LOCALE));
      perRender.set(this.context, resolved);
    }
    const message = resolved.messages.get(key);
    if (message === undefined) throw new Error(`t: no copy for "${key}" in ${resolved.copy}`);
    if (args.length === 0) return formatMessage(message, NO_VALUES, key, resolved);
    const values = new Map<string, unknown>();
    for (const arg of args) {
      if (!Array.isArray(arg) || typeof arg[0] !== "string") {
        throw new Error(`t: "${key}": pass values by name, e.g. t: name: customer.first_name`);
      }
      values.set(arg[0], arg[1]);
    }
    return formatMessage(message, values, key, resolved);
  };
}
