import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { type Message, PLURAL_CATEGORIES } from "../copy-messages.js";
import type { TemplateProblem } from "../render-errors.js";

/** The declaration of the shipped locales, relative to the templates root. */
export const LOCALES_FILE = "locales.yaml";
/** Shared copy (blocks, several templates): `locales/<locale>.json`. A template's own: `emails/<id>/locales/`. */
export const LOCALES_DIR = "locales";

/** One message as read, with the file it came from. */
export interface MessageSource {
  readonly message: Message;
  /** File relative to the templates root. */
  readonly file: string;
}

/** Every locale file read: messages by locale, then by full key. */
export interface LocaleSources {
  /** The templates' source language. */
  readonly default: string;
  /** Shipped locales, the default included, sorted. */
  readonly shipped: readonly string[];
  readonly messages: ReadonlyMap<string, ReadonlyMap<string, MessageSource>>;
}

const KEY_PART = /^[a-z0-9_-]+$/i;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An object with a text `other` and only plural categories as keys is a message's plural forms. */
function pluralForms(value: Record<string, unknown>): Message | undefined {
  if (typeof value.other !== "string") return undefined;
  const forms: Record<string, string> = {};
  for (const [category, text] of Object.entries(value)) {
    if (!PLURAL_CATEGORIES.some((known) => known === category) || typeof text !== "string") return undefined;
    forms[category] = text;
  }
  return { ...forms, other: value.other };
}

function canonical(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/**
 * Reads `locales.yaml` (`default: en`, `shipped: [fr, de]`) and every locale file under `root`. Returns
 * `undefined` when there is no `locales.yaml` (templates without translations); problems are collected, never
 * thrown. Nested objects are flattened with dots (`{"cart": {"title": …}}` is `cart.title`); a template's own
 * keys are prefixed with its id (`welcome.title` from `emails/welcome/locales/fr.json`'s `title`).
 */
export function readLocaleSources(
  root: string,
  templates: readonly string[],
  problems: TemplateProblem[],
): LocaleSources | undefined {
  const declaration = path.join(root, LOCALES_FILE);
  if (!existsSync(declaration)) return undefined;
  const fail = (file: string, message: string) => problems.push({ template: "*", file, message });
  let declared: unknown;
  try {
    declared = parseYaml(readFileSync(declaration, "utf8"));
  } catch (error) {
    fail(LOCALES_FILE, `not YAML: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const example = "e.g. default: en and shipped: [fr, de]";
  const rawDefault = isRecord(declared) ? declared.default : undefined;
  const rawShipped = isRecord(declared) ? declared.shipped : undefined;
  if (typeof rawDefault !== "string" || !Array.isArray(rawShipped)) {
    fail(LOCALES_FILE, `needs "default" (the templates' source language) and a "shipped" list, ${example}`);
    return undefined;
  }
  const shipped = new Set<string>();
  for (const tag of [rawDefault, ...rawShipped]) {
    const name = typeof tag === "string" ? canonical(tag) : undefined;
    if (name === undefined || name !== tag) {
      fail(
        LOCALES_FILE,
        `${JSON.stringify(tag)} is not a canonical BCP 47 locale${name === undefined ? "" : ` (write ${name})`}, ${example}`,
      );
      continue;
    }
    shipped.add(name);
  }
  const messages = new Map<string, Map<string, MessageSource>>();
  for (const locale of shipped) messages.set(locale, new Map());
  const folders = [
    { dir: LOCALES_DIR, prefix: "" },
    ...templates.map((id) => ({ dir: `emails/${id}/${LOCALES_DIR}`, prefix: `${id}.` })),
  ];
  for (const { dir, prefix } of folders) {
    if (!existsSync(path.join(root, dir))) continue;
    for (const name of readdirSync(path.join(root, dir)).sort()) {
      const file = `${dir}/${name}`;
      const locale = name.replace(/\.json$/, "");
      const table = messages.get(locale);
      if (!name.endsWith(".json") || table === undefined) {
        fail(
          file,
          `not a shipped locale's copy: name files <locale>.json after a locale of ${LOCALES_FILE} (${[...shipped].join(", ")})`,
        );
        continue;
      }
      readLocaleFile(root, file, prefix, table, problems);
    }
  }
  return { default: rawDefault, shipped: [...shipped].sort(), messages };
}

function readLocaleFile(
  root: string,
  file: string,
  prefix: string,
  table: Map<string, MessageSource>,
  problems: TemplateProblem[],
): void {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path.join(root, file), "utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    problems.push({ template: "*", file, message: `not JSON: ${reason}` });
    return;
  }
  const visit = (value: unknown, key: string) => {
    if (typeof value === "string") {
      const known = table.get(key);
      if (known !== undefined) {
        problems.push({ template: "*", file, message: `"${key}" is also defined in ${known.file}` });
      } else table.set(key, { message: value, file });
      return;
    }
    const forms = isRecord(value) ? pluralForms(value) : undefined;
    if (forms !== undefined) {
      table.set(key, { message: forms, file });
      return;
    }
    if (!isRecord(value)) {
      problems.push({
        template: "*",
        file,
        message: `"${key}": expected text, plural forms ({"one": …, "other": …}) or an object of keys`,
      });
      return;
    }
    for (const [part, inner] of Object.entries(value)) {
      if (!KEY_PART.test(part)) {
        problems.push({
          template: "*",
          file,
          message: `"${key === "" ? part : `${key}.${part}`}": key parts are letters, digits, "_" and "-"`,
        });
        continue;
      }
      visit(inner, key === "" ? `${prefix}${part}` : `${key}.${part}`);
    }
  };
  if (!isRecord(data)) {
    problems.push({ template: "*", file, message: "expected an object of keys" });
    return;
  }
  visit(data, "");
}
