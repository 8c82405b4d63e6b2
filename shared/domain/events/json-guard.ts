import type { ValidationIssue } from "./event-validation-error.js";
import { JSON_DEPTH_MAX } from "./limits.js";

/** Keys that could reach an object's prototype if assigned: never copied. */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Names a plain object inherits (`toString`, `valueOf`, `hasOwnProperty`, …): reading `counts[name] ?? 0` for one
 * of them yields a function, and `+ 1` then stores the function's source as text.
 */
const INHERITED_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Whether `key` can name an entry of a plain-object map built from customer data: neither a key that reaches the
 * prototype when assigned nor one that a plain object inherits (so `map[key] ?? 0` reads only own entries).
 */
export function isSafeKey(key: string): boolean {
  return !FORBIDDEN_KEYS.has(key) && !INHERITED_KEYS.has(key);
}

/** A copy of JSON-like input that is safe to read, or why it is not. */
export type GuardResult = { ok: true; value: unknown } | { ok: false; issue: ValidationIssue };

/**
 * Copies arrays and plain objects, dropping `__proto__`, `constructor` and `prototype` keys at every level
 * and refusing nesting deeper than {@link JSON_DEPTH_MAX}. Lone UTF-16 surrogates in keys and strings (valid
 * JSON escapes such as `"\ud800"`, but not text: UTF-8 cannot carry them to the table or the mail) become
 * U+FFFD, as a lenient UTF-8 decoder would read them. Other leaves are returned as they are for the schema to
 * judge. The depth limit also bounds recursion on cyclic input built in code.
 */
export function guardJson(input: unknown): GuardResult {
  const tooDeep = { ok: false, issue: depthIssue() } as const;
  const copy = (value: unknown, depth: number): { deep: true } | { deep: false; value: unknown } => {
    if (Array.isArray(value)) {
      if (depth > JSON_DEPTH_MAX) return { deep: true };
      const out: unknown[] = [];
      for (const item of value) {
        const child = copy(item, depth + 1);
        if (child.deep) return child;
        out.push(child.value);
      }
      return { deep: false, value: out };
    }
    if (isPlainObject(value)) {
      if (depth > JSON_DEPTH_MAX) return { deep: true };
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) {
        if (FORBIDDEN_KEYS.has(key) || item === undefined) continue;
        const child = copy(item, depth + 1);
        if (child.deep) return child;
        out[wellFormed(key)] = child.value;
      }
      return { deep: false, value: out };
    }
    return { deep: false, value: typeof value === "string" ? wellFormed(value) : value };
  };
  const result = copy(input, 1);
  return result.deep ? tooDeep : { ok: true, value: result.value };
}

/**
 * The deepest nesting of `[`/`{` in JSON text, stopping early once past {@link JSON_DEPTH_MAX}. Runs before
 * `JSON.parse` so a hostile record never builds a huge tree.
 */
export function exceedsJsonDepth(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > JSON_DEPTH_MAX) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** A JSON number token at the scan position. */
const NUMBER_TOKEN = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
/** Any integer literal beyond 2^53 has at least 16 digits: text without such a run needs no rewrite. */
const LONG_DIGIT_RUN = /\d{16}/;

/**
 * JSON text in which every integer literal beyond ±(2^53 − 1) (`12345678901234567890`) is quoted, so
 * `JSON.parse` reads it as its exact decimal text instead of rounding it to a nearby double. Only for text that
 * `JSON.parse` already accepted: there a number token only ever stands for a value, so quoting it keeps the
 * JSON valid and changes nothing else. Literals with a fraction or an exponent are left as they are.
 */
export function quoteUnsafeIntegers(text: string): string {
  if (!LONG_DIGIT_RUN.test(text)) return text;
  let out = "";
  let copied = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) continue;
    NUMBER_TOKEN.lastIndex = i;
    const token = NUMBER_TOKEN.exec(text)?.[0] ?? "";
    if (token === "") continue;
    if (/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
      out += `${text.slice(copied, i)}"${token}"`;
      copied = i + token.length;
    }
    i += token.length - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** `text` with each lone surrogate replaced by U+FFFD (`String.prototype.toWellFormed`, not in ES2023). */
export function wellFormed(text: string): string {
  LONE_SURROGATE.lastIndex = 0;
  return LONE_SURROGATE.test(text) ? text.replace(LONE_SURROGATE, "\uFFFD") : text;
}

/** The issue reported for input nested too deeply. */
export function depthIssue(): ValidationIssue {
  return { path: "", rule: "depth", message: `JSON nested deeper than ${JSON_DEPTH_MAX} levels` };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
