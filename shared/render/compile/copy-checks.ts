import { type CompiledLocales, localeChain } from "../copy-locales.js";
import { COUNT_ARGUMENT, type Message, placeholdersOf } from "../copy-messages.js";
import type { TemplateProblem } from "../render-errors.js";
import { TRANSLATE_FILTER } from "../translate-filter.js";
import { LOCALES_DIR, LOCALES_FILE, type LocaleSources, type MessageSource } from "./locale-files.js";

/** A `t` lookup of a template, located in its source file. */
export interface CopyUse {
  readonly template: string;
  readonly file: string;
  readonly line: number;
  readonly key: string;
  readonly arguments: readonly string[];
}

/** What the copy checks found and the copy to ship. */
export interface CopyCheck {
  readonly locales: CompiledLocales | undefined;
  readonly problems: TemplateProblem[];
  /** Not fatal: a key no template uses, copy only a translation has. */
  readonly warnings: TemplateProblem[];
}

const languageOf = (locale: string) => locale.split("-")[0] ?? locale;

/**
 * The shipped locales `locale`'s copy is drawn from, most specific first: its own chain (`fr-CA`, `fr`) among the
 * shipped locales, plus the default only when it is the same language (`en-GB` may lean on `en`; `fr` may not).
 */
function sourcesOf(locale: string, sources: LocaleSources): string[] {
  const chain = localeChain(locale).filter((tag) => sources.shipped.includes(tag));
  return languageOf(locale) === languageOf(sources.default) && !chain.includes(sources.default)
    ? [...chain, sources.default]
    : chain;
}

function lookup(key: string, locale: string, sources: LocaleSources): MessageSource | undefined {
  for (const tag of sourcesOf(locale, sources)) {
    const found = sources.messages.get(tag)?.get(key);
    if (found !== undefined) return found;
  }
  return undefined;
}

const neededForms = new Map<string, Set<string>>();

/** The plural forms whole counts 0–1000 select in `locale` (what a count of items can hit). */
function formsNeeded(locale: string): Set<string> {
  const known = neededForms.get(locale);
  if (known !== undefined) return known;
  const rules = new Intl.PluralRules(locale);
  const forms = new Set<string>();
  for (let n = 0; n <= 1000; n++) forms.add(rules.select(n));
  neededForms.set(locale, forms);
  return forms;
}

function describeArgs(message: Message): string {
  const names = placeholdersOf(message);
  return `${typeof message === "string" ? "" : "plural forms, "}{${names.join("}, {")}}`;
}

/**
 * Checks the copy against the templates' lookups and builds what ships: a key a template uses that a shipped
 * locale lacks fails the build naming template, file, line, key and locale; values a message needs that the
 * lookup does not pass fail; placeholders and plural-ness must be the same in every locale; plural forms must
 * cover what whole counts select in the locale. A key no template uses is a warning.
 */
export function checkCopy(sources: LocaleSources | undefined, uses: readonly CopyUse[]): CopyCheck {
  const problems: TemplateProblem[] = [];
  const warnings: TemplateProblem[] = [];
  if (sources === undefined) {
    for (const use of uses) {
      problems.push({
        ...at(use),
        message: `"${TRANSLATE_FILTER}" looks up "${use.key}" but there is no ${LOCALES_FILE} (declare default: en and the shipped locales)`,
      });
    }
    return { locales: undefined, problems, warnings };
  }
  const defaults = sources.messages.get(sources.default) ?? new Map<string, MessageSource>();
  for (const use of uses) {
    for (const locale of sources.shipped) {
      const found = lookup(use.key, locale, sources);
      if (found === undefined) {
        problems.push({
          ...at(use),
          message: `no copy for "${use.key}" in locale ${locale}: add it to ${fileFor(use, locale, defaults)}`,
        });
        continue;
      }
      const needed = placeholdersOf(found.message);
      if (typeof found.message !== "string") needed.push(COUNT_ARGUMENT);
      const missing = [...new Set(needed)].filter((name) => !use.arguments.includes(name));
      if (missing.length > 0 && locale === sources.default) {
        problems.push({
          ...at(use),
          message: `the copy of "${use.key}" (${found.file}) needs ${missing.map((name) => `{${name}}`).join(", ")}: pass ${missing.map((name) => `${name}: …`).join(", ")} to ${TRANSLATE_FILTER}`,
        });
      }
    }
  }
  const used = new Set(uses.map((use) => use.key));
  for (const [locale, table] of sources.messages) {
    for (const [key, source] of table) {
      if (!used.has(key)) {
        warnings.push({ template: "*", file: source.file, message: `"${key}" is not used by any template` });
      }
      if (locale !== sources.default) checkAgainstDefault(key, source, defaults.get(key), problems);
      const forms = source.message;
      if (typeof forms !== "string") {
        const absent = [...formsNeeded(locale)].filter((form) => !Object.hasOwn(forms, form));
        if (absent.length > 0) {
          problems.push({
            template: "*",
            file: source.file,
            message: `"${key}": ${locale} needs the plural form(s) ${absent.map((form) => `"${form}"`).join(", ")}`,
          });
        }
      }
    }
  }
  return { locales: flatten(sources), problems, warnings };
}

function at(use: CopyUse): { template: string; file: string; line: number } {
  return { template: use.template, file: use.file, line: use.line };
}

function fileFor(use: CopyUse, locale: string, defaults: ReadonlyMap<string, MessageSource>): string {
  const own = defaults.get(use.key)?.file;
  if (own !== undefined) return own.replace(/[^/]+\.json$/, `${locale}.json`);
  return use.key.startsWith(`${use.template}.`)
    ? `emails/${use.template}/${LOCALES_DIR}/${locale}.json`
    : `${LOCALES_DIR}/${locale}.json`;
}

function checkAgainstDefault(
  key: string,
  source: MessageSource,
  reference: MessageSource | undefined,
  problems: TemplateProblem[],
): void {
  if (reference === undefined) return;
  const same =
    (typeof source.message === "string") === (typeof reference.message === "string") &&
    placeholdersOf(source.message).join() === placeholdersOf(reference.message).join();
  if (!same) {
    problems.push({
      template: "*",
      file: source.file,
      message: `"${key}" takes ${describeArgs(source.message)} but the default copy (${reference.file}) takes ${describeArgs(reference.message)}: every locale takes the same values`,
    });
  }
}

/** Per shipped locale, every key with its fallback applied (default, then the language, then the locale). */
function flatten(sources: LocaleSources): CompiledLocales {
  // Maps, then fromEntries: keys are data, and a key like "__proto__" must stay a plain own property.
  const messages = new Map<string, Record<string, Message>>();
  for (const locale of sources.shipped) {
    const table = new Map<string, Message>();
    for (const tag of [sources.default, ...sourcesOf(locale, sources).reverse()]) {
      for (const [key, source] of sources.messages.get(tag) ?? []) table.set(key, source.message);
    }
    messages.set(locale, Object.fromEntries(table));
  }
  return { default: sources.default, shipped: sources.shipped, messages: Object.fromEntries(messages) };
}
