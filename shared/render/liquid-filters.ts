import type { Context } from "liquidjs";
import {
  currencyFormat,
  DATE_STYLES,
  type DateStyle,
  DEFAULT_LOCALE,
  DEFAULT_TIME_ZONE,
  dateFormat,
  numberFormat,
  pluralRulesOf,
} from "./intl-cache.js";

/**
 * Scope values a helper reads besides its arguments (a `{% cache %}` block using the helper must be keyed on
 * them). Keep in step with the helpers below.
 */
export const FILTER_SCOPE_READS: Readonly<Record<string, readonly string[]>> = {
  money: ["customer.locale", "customer.currency"],
  date: ["now", "customer.locale", "customer.timezone"],
  pluralize: ["customer.locale"],
  t: ["customer.locale"],
};

/** What LiquidJS binds `this` to in a filter (its own type is not exported). */
export interface FilterImpl {
  readonly context: Context;
}

/** Reads a string of the render scope (e.g. `customer.locale`), or `fallback`. */
export function scopeString(filter: FilterImpl, path: readonly string[], fallback: string): string {
  let value: unknown;
  try {
    value = filter.context.getSync([...path]);
  } catch {
    return fallback;
  }
  return typeof value === "string" && value !== "" ? value : fallback;
}

function toNumber(value: unknown, filter: string): number {
  const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  if (typeof value === "string" && value.trim() === "")
    throw new Error(`${filter}: expected a number, got ""`);
  if (!Number.isFinite(n)) throw new Error(`${filter}: expected a number, got ${JSON.stringify(value)}`);
  return n;
}

/**
 * `{{ amount | money }}`: an amount in major units (e.g. `24.99`) in the customer's locale and currency
 * (`customer.locale`, `customer.currency`); `{{ amount | money: "EUR" }}` names the currency.
 */
export function money(this: FilterImpl, value: unknown, currency?: unknown): string {
  const amount = toNumber(value, "money");
  const code =
    typeof currency === "string" && currency !== ""
      ? currency.toUpperCase()
      : scopeString(this, ["customer", "currency"], "USD");
  return currencyFormat(scopeString(this, ["customer", "locale"], DEFAULT_LOCALE), code).format(amount);
}

function toTime(value: unknown, now: () => number): number {
  if (value === "now" || value === "today") return now();
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (value instanceof Date && Number.isFinite(value.getTime())) return value.getTime();
  if (typeof value === "string") {
    const parsed = Date.parse(value);
    if (Number.isFinite(parsed)) return parsed;
  }
  throw new Error(`date: expected epoch milliseconds, an ISO date or "now", got ${JSON.stringify(value)}`);
}

function isDateStyle(value: unknown): value is DateStyle {
  return DATE_STYLES.some((style) => style === value);
}

/**
 * `{{ customer.last_order_at | date }}`, `| date: "long"`: a time (epoch ms, ISO text, or `"now"`: the render's
 * `now`) in the customer's locale and time zone (`customer.locale`, `customer.timezone`). Styles: `short`,
 * `medium` (default), `long`, `full`, `datetime`, `time`.
 */
export function date(this: FilterImpl, value: unknown, style: unknown = "medium"): string {
  if (!isDateStyle(style)) {
    throw new Error(`date: unknown style ${JSON.stringify(style)} (use one of ${DATE_STYLES.join(", ")})`);
  }
  const time = toTime(value, () => {
    const now = scopeString(this, ["now"], "");
    return now === "" ? Number.NaN : Date.parse(now);
  });
  const locale = scopeString(this, ["customer", "locale"], DEFAULT_LOCALE);
  const zone = scopeString(this, ["customer", "timezone"], DEFAULT_TIME_ZONE);
  return dateFormat(locale, zone, style).format(time);
}

/**
 * `{{ cart.count | pluralize: "item", "items" }}` → `1 item`, `3 items`, by the customer's locale's plural rules
 * (the plural defaults to the singular + `s`). The count is formatted in the locale.
 */
export function pluralize(this: FilterImpl, value: unknown, singular: unknown, plural?: unknown): string {
  const count = toNumber(value, "pluralize");
  if (typeof singular !== "string")
    throw new Error('pluralize: give the singular word, e.g. pluralize: "item"');
  const many = typeof plural === "string" ? plural : `${singular}s`;
  const locale = scopeString(this, ["customer", "locale"], DEFAULT_LOCALE);
  const word = pluralRulesOf(locale).select(count) === "one" ? singular : many;
  return `${numberFormat(locale).format(count)} ${word}`;
}

/**
 * `{% assign vip = segments | in_segment: "champions", "loyal" %}`: true when the customer is in any of the
 * named segments (the block form is the `in_segment` tag).
 */
export function inSegment(value: unknown, ...ids: unknown[]): boolean {
  if (!Array.isArray(value)) throw new Error("in_segment: apply it to `segments`");
  return ids.some((id) => typeof id === "string" && value.includes(id));
}

/** `{% assign rows = recommendations | in_groups_of: 2 %}`: the list cut into rows of `size` (last may be short). */
export function inGroupsOf(value: unknown, size: unknown): unknown[][] {
  const n = toNumber(size, "in_groups_of");
  if (!Array.isArray(value)) throw new Error("in_groups_of: apply it to a list");
  if (!Number.isInteger(n) || n < 1) throw new Error("in_groups_of: the size must be a whole number ≥ 1");
  const rows: unknown[][] = [];
  for (let i = 0; i < value.length; i += n) rows.push(value.slice(i, i + n));
  return rows;
}
