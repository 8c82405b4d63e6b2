/**
 * Translated copy: one message per key and locale, written in `templates/locales/<locale>.json` (shared) or
 * `templates/emails/<id>/locales/<locale>.json` (a template's own). A message is text with `{name}`
 * placeholders, or, for counts, an object of plural forms chosen by `Intl.PluralRules` on the `count` value
 * (`{"one": "{count} item", "other": "{count} items"}`). Messages are never Liquid: a translator cannot run code.
 *
 * @module
 */
import { TailorError } from "../errors.js";
import { numberFormat, pluralRulesOf } from "./intl-cache.js";

/** Plural categories of `Intl.PluralRules`. */
export const PLURAL_CATEGORIES = ["zero", "one", "two", "few", "many", "other"] as const;
export type PluralCategory = (typeof PLURAL_CATEGORIES)[number];

/** Plural forms of a message: `other` always, the others as the locale needs them. */
export type PluralForms = { readonly other: string } & Readonly<
  Partial<Record<Exclude<PluralCategory, "other">, string>>
>;

/** One message as written: text, or plural forms selected by the `count` argument. */
export type Message = string | PluralForms;

/** The argument that selects a plural form. */
export const COUNT_ARGUMENT = "count";

const PLACEHOLDER = /\{([a-z_][a-z0-9_]*)\}/gi;

/** Text cut at its placeholders: literal text at even indices, argument names at odd ones. */
type Pieces = readonly string[];

/** A message parsed once, ready to format per recipient. */
export interface CompiledMessage {
  /** Text pieces by plural category; a plain message has `other` only. */
  readonly forms: ReadonlyMap<string, Pieces>;
  readonly plural: boolean;
  /** Placeholder names of every form. */
  readonly arguments: ReadonlySet<string>;
}

function piecesOf(text: string): Pieces {
  return text.split(PLACEHOLDER);
}

/** Placeholder names of a message (every form of a plural one), sorted. */
export function placeholdersOf(message: Message): string[] {
  const texts = typeof message === "string" ? [message] : Object.values(message);
  const names = new Set<string>();
  for (const text of texts) {
    for (const match of text.matchAll(PLACEHOLDER)) names.add(match[1] ?? "");
  }
  return [...names].sort();
}

/** Parses a message once (placeholders located, forms keyed by category). */
export function compileMessage(message: Message): CompiledMessage {
  if (typeof message === "string") {
    return {
      forms: new Map([["other", piecesOf(message)]]),
      plural: false,
      arguments: new Set(placeholdersOf(message)),
    };
  }
  return {
    forms: new Map(Object.entries(message).map(([category, text]) => [category, piecesOf(text)])),
    plural: true,
    arguments: new Set(placeholdersOf(message)),
  };
}

/** Arguments of one lookup: values by placeholder name. */
export type MessageArguments = ReadonlyMap<string, unknown>;

/** A message cannot be filled for this recipient: the reason names the key and the argument. */
export class MessageFormatError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

function display(value: unknown, locale: string, key: string, name: string): string {
  if (typeof value === "number") return numberFormat(locale).format(value);
  if (typeof value === "string") return value;
  throw new MessageFormatError(
    `t: "${key}" needs {${name}} as text or a number, got ${value === undefined ? "nothing" : typeof value}`,
  );
}

/**
 * Fills a compiled message: the plural form by `count` and the copy locale's rules, numbers formatted in the
 * formatting locale. A placeholder without an argument throws (like a variable without a fallback).
 */
export function formatMessage(
  message: CompiledMessage,
  args: MessageArguments,
  key: string,
  locales: { readonly copy: string; readonly formatting: string },
): string {
  let pieces = message.forms.get("other") ?? [];
  if (message.plural) {
    const count = args.get(COUNT_ARGUMENT);
    if (typeof count !== "number" || !Number.isFinite(count)) {
      throw new MessageFormatError(`t: "${key}" has plural forms: give count: <a number>`);
    }
    pieces = message.forms.get(pluralRulesOf(locales.copy).select(count)) ?? pieces;
  }
  if (pieces.length === 1) return pieces[0] ?? "";
  let out = "";
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i] ?? "";
    out += i % 2 === 0 ? piece : display(args.get(piece), locales.formatting, key, piece);
  }
  return out;
}
