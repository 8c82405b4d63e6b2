import type { CompiledMessage } from "./copy-messages.js";
import { scanLiquidTags } from "./liquid-tags.js";

const OUTPUT_LOOKUP = /^(["'])([^"']+)\1\s*\|\s*t$/;
const ASSIGN_LOOKUP = /^assign\s+([\w-]+)\s*=\s*(["'])([^"']+)\2\s*\|\s*t$/;
const HTML_ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&#34;",
  "'": "&#39;",
};

/** The text of a message that takes no values, when it is safe to write into Liquid source. */
function constantText(message: CompiledMessage | undefined): string | undefined {
  if (message === undefined || message.plural || message.arguments.size > 0) return undefined;
  const pieces = message.forms.get("other");
  const text = pieces?.length === 1 ? pieces[0] : undefined;
  // Nothing that Liquid would read as a tag, and no backslash (a string literal's escape).
  return text === undefined || /[{}\\]|%}/.test(text) ? undefined : text;
}

/**
 * A template's source with one locale's constant copy written in: `{{ "cart.total" | t }}` becomes the text
 * (HTML-escaped exactly as LiquidJS's `escape` does, for the `html` kind) and `{% assign x = "k" | t %}` an
 * assign of the text as a string literal. Lookups that take values, plural ones, and tags with whitespace
 * control stay `t` calls. What renders is byte for byte what the lookups give, without a filter call per
 * recipient: the renderer does this once per template and locale.
 */
export function substituteCopy(
  source: string,
  messages: ReadonlyMap<string, CompiledMessage>,
  kind: "html" | "text",
): string {
  let out = "";
  let at = 0;
  for (const tag of scanLiquidTags(source)) {
    if (/^\{[{%]-|-[}%]\}$/.test(tag.text)) continue;
    let replacement: string | undefined;
    if (tag.kind === "output") {
      const key = OUTPUT_LOOKUP.exec(tag.body)?.[2];
      const text = key === undefined ? undefined : constantText(messages.get(key));
      if (text !== undefined) {
        replacement = kind === "html" ? text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c) : text;
      }
    } else if (tag.name === "assign") {
      const match = ASSIGN_LOOKUP.exec(tag.body);
      const text = match?.[3] === undefined ? undefined : constantText(messages.get(match[3]));
      const quote =
        text === undefined ? undefined : !text.includes('"') ? '"' : !text.includes("'") ? "'" : undefined;
      if (match !== null && quote !== undefined)
        replacement = `{% assign ${match[1]} = ${quote}${text}${quote} %}`;
    }
    if (replacement === undefined) continue;
    out += source.slice(at, tag.start) + replacement;
    at = tag.end;
  }
  return out + source.slice(at);
}
