/**
 * Which locale's copy a customer gets, and the locale their dates and prices are formatted in, so the two agree.
 *
 * The copy locale is the first shipped locale of the customer's fallback chain (`fr-CA` → `fr`), else the
 * default (the templates' source language). When the chain finds copy, dates and prices keep the customer's own
 * locale (`fr-CA`: French copy, Canadian French formats, same language). When it does not (a `ja-JP` customer
 * and no Japanese copy), the customer gets the default copy AND the default locale's formats, so an English
 * email never says "5 décembre 2026" or "12,50 €" in another language's words.
 *
 * @module
 */
import { z } from "zod";
import { type CompiledMessage, compileMessage, type Message, PLURAL_CATEGORIES } from "./copy-messages.js";

/** The copy of every shipped locale, as the build writes it into the compiled templates. */
export interface CompiledLocales {
  /** The templates' source language (e.g. `en`): copy for customers whose language has none. */
  readonly default: string;
  /** Every shipped locale, the default included, sorted. */
  readonly shipped: readonly string[];
  /** Per shipped locale, every key with its fallback already applied (`fr-CA` holds `fr`'s where it has none). */
  readonly messages: Readonly<Record<string, Readonly<Record<string, Message>>>>;
}

const pluralFormsSchema = z
  .object(Object.fromEntries(PLURAL_CATEGORIES.map((category) => [category, z.string().optional()])))
  .strict()
  .transform((forms, ctx) => {
    const { other, ...rest } = forms;
    if (other === undefined) {
      ctx.addIssue({ code: "custom", message: 'plural forms need "other"' });
      return z.NEVER;
    }
    const defined = Object.entries(rest).filter((entry): entry is [string, string] => entry[1] !== undefined);
    return { ...Object.fromEntries(defined), other };
  });

/** Schema of {@link CompiledLocales} in the compiled-templates JSON. */
export const compiledLocalesSchema = z.object({
  default: z.string().min(1),
  shipped: z.array(z.string().min(1)),
  messages: z.record(z.string(), z.record(z.string(), z.union([z.string(), pluralFormsSchema]))),
});

/**
 * The fallback chain of a locale, most specific first, without the default: `zh-Hant-TW` → `zh-Hant-TW`,
 * `zh-Hant`, `zh`. Unicode extensions (`-u-…`) are dropped.
 */
export function localeChain(locale: string): string[] {
  let base = locale;
  try {
    base = new Intl.Locale(locale).baseName;
  } catch {
    // Not a locale at all: the default copy.
    return [];
  }
  const subtags = base.split("-");
  return subtags.map((_, i) => subtags.slice(0, subtags.length - i).join("-"));
}

/** The copy a customer gets and how their dates and prices are formatted. */
export interface ResolvedCopy {
  /** The shipped locale whose copy is used (`fr` for an `fr-CA` customer when only `fr` ships). */
  readonly copy: string;
  /** The locale for dates, prices and numbers: the customer's when its language has copy, else the default. */
  readonly formatting: string;
  /** The language of the copy (for `<html lang>`). */
  readonly language: string;
  readonly messages: ReadonlyMap<string, CompiledMessage>;
}

const MAX_RESOLVED = 2_000;

/** Resolves customers' locales to copy, each distinct locale once (a bounded cache: data decides the keys). */
export class CopyCatalog {
  readonly #locales: CompiledLocales;
  readonly #tables = new Map<string, ReadonlyMap<string, CompiledMessage>>();
  readonly #resolved = new Map<string, ResolvedCopy>();

  constructor(locales: CompiledLocales) {
    this.#locales = locales;
    for (const locale of locales.shipped) {
      const messages = locales.messages[locale] ?? {};
      this.#tables.set(
        locale,
        new Map(Object.entries(messages).map(([key, message]) => [key, compileMessage(message)])),
      );
    }
  }

  /** The default (source) locale of the copy. */
  get defaultLocale(): string {
    return this.#locales.default;
  }

  /** The copy and formatting locale of a customer's locale (as `customer.locale` holds it). */
  resolve(customerLocale: string): ResolvedCopy {
    const hit = this.#resolved.get(customerLocale);
    if (hit !== undefined) return hit;
    if (this.#resolved.size >= MAX_RESOLVED) this.#resolved.clear();
    const found = localeChain(customerLocale).find((locale) => this.#tables.has(locale));
    const copy = found ?? this.#locales.default;
    const formatting = found === undefined ? this.#locales.default : customerLocale;
    const resolved: ResolvedCopy = {
      copy,
      formatting,
      language: copy.split("-")[0] ?? copy,
      messages: this.#tables.get(copy) ?? new Map(),
    };
    this.#resolved.set(customerLocale, resolved);
    return resolved;
  }
}
