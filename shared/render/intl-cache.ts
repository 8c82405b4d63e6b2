/**
 * Intl formatters are slow to create (tens of microseconds) and cheap to reuse, so each distinct
 * (locale, currency, time zone, style) is built once per process. Unknown or malformed locales and time zones
 * are resolved to safe defaults before they get here ({@link resolveLocale}, {@link resolveTimeZone}).
 */

/** Locale used when the customer's is missing, malformed or unsupported. */
export const DEFAULT_LOCALE = "en-US";
/** Time zone used when the customer's is missing or not an IANA zone. */
export const DEFAULT_TIME_ZONE = "UTC";

const MAX_ENTRIES = 2_000;
const numberFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();
const pluralRules = new Map<string, Intl.PluralRules>();
const locales = new Map<string, string>();
const timeZones = new Map<string, string>();

function cached<V>(cache: Map<string, V>, key: string, make: () => V): V {
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  // A bounded cache: data decides the keys, so a flood of odd locales must not grow memory without limit.
  if (cache.size >= MAX_ENTRIES) cache.clear();
  const value = make();
  cache.set(key, value);
  return value;
}

/** A supported BCP 47 locale for `raw` (canonicalised), or {@link DEFAULT_LOCALE}. */
export function resolveLocale(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === "") return DEFAULT_LOCALE;
  return cached(locales, raw, () => {
    try {
      const [supported] = Intl.NumberFormat.supportedLocalesOf(raw.replace(/_/g, "-"));
      return supported ?? DEFAULT_LOCALE;
    } catch {
      return DEFAULT_LOCALE;
    }
  });
}

/** `raw` if it is an IANA time zone the runtime knows, else {@link DEFAULT_TIME_ZONE}. */
export function resolveTimeZone(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === "") return DEFAULT_TIME_ZONE;
  return cached(timeZones, raw, () => {
    try {
      return new Intl.DateTimeFormat("en-US", { timeZone: raw }).resolvedOptions().timeZone;
    } catch {
      return DEFAULT_TIME_ZONE;
    }
  });
}

/** A currency formatter; an invalid currency code throws a RangeError naming it. */
export function currencyFormat(locale: string, currency: string): Intl.NumberFormat {
  return cached(
    numberFormats,
    `${locale}|${currency}`,
    () => new Intl.NumberFormat(locale, { style: "currency", currency }),
  );
}

/** A plain number formatter. */
export function numberFormat(locale: string): Intl.NumberFormat {
  return cached(numberFormats, `${locale}|`, () => new Intl.NumberFormat(locale));
}

/** Date styles the `date` filter accepts. */
export const DATE_STYLES = ["short", "medium", "long", "full", "datetime", "time"] as const;
export type DateStyle = (typeof DATE_STYLES)[number];

function dateOptions(style: DateStyle): Intl.DateTimeFormatOptions {
  switch (style) {
    case "datetime":
      return { dateStyle: "medium", timeStyle: "short" };
    case "time":
      return { timeStyle: "short" };
    default:
      return { dateStyle: style };
  }
}

/** A date formatter in a locale and time zone. */
export function dateFormat(locale: string, timeZone: string, style: DateStyle): Intl.DateTimeFormat {
  return cached(
    dateFormats,
    `${locale}|${timeZone}|${style}`,
    () => new Intl.DateTimeFormat(locale, { ...dateOptions(style), timeZone }),
  );
}

/** Plural rules of a locale. */
export function pluralRulesOf(locale: string): Intl.PluralRules {
  return cached(pluralRules, locale, () => new Intl.PluralRules(locale));
}
