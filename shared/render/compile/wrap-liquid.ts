import { liquidTagEnd } from "../liquid-tags.js";

/**
 * MJML drops text that stands bare between its elements, Liquid tags included (`{% if %}` around an
 * `<mj-section>` vanishes without a warning), but keeps the content of "ending tag" elements such as
 * `<mj-text>` or `<mj-raw>` as it is. This pre-pass wraps every run of Liquid tags found between elements of
 * `<mj-body>` in `<mj-raw>…</mj-raw>`, so authors write plain Liquid around blocks. It adds no line breaks: line
 * numbers of the result are those of the input.
 */

/** Elements whose content MJML passes through untouched. */
const RAW_CONTENT = new Set([
  "mj-text",
  "mj-button",
  "mj-raw",
  "mj-table",
  "mj-navbar-link",
  "mj-accordion-title",
  "mj-accordion-text",
  "mj-social-element",
  "mj-title",
  "mj-preview",
  "mj-style",
]);

interface ElementTag {
  readonly name: string;
  readonly closing: boolean;
  readonly selfClosing: boolean;
  readonly end: number;
}

/** Wraps Liquid tags standing between MJML elements inside `<mj-body>` in `<mj-raw>`. */
export function wrapBareLiquid(source: string): string {
  let out = "";
  const stack: string[] = [];
  let i = 0;
  while (i < source.length) {
    if (source.startsWith("<!--", i)) {
      const end = source.indexOf("-->", i);
      const stop = end === -1 ? source.length : end + 3;
      out += source.slice(i, stop);
      i = stop;
      continue;
    }
    if (source[i] === "<") {
      const tag = readElementTag(source, i);
      if (tag === undefined) {
        out += source[i];
        i++;
        continue;
      }
      out += source.slice(i, tag.end);
      i = tag.end;
      if (tag.closing) {
        const at = stack.lastIndexOf(tag.name);
        if (at !== -1) stack.length = at;
      } else if (!tag.selfClosing) {
        if (RAW_CONTENT.has(tag.name)) {
          const close = source.indexOf(`</${tag.name}`, i);
          const stop = close === -1 ? source.length : close;
          out += source.slice(i, stop);
          i = stop;
        } else {
          stack.push(tag.name);
        }
      }
      continue;
    }
    if (stack.includes("mj-body") && (source.startsWith("{{", i) || source.startsWith("{%", i))) {
      const stop = liquidRunEnd(source, i);
      out += `<mj-raw>${source.slice(i, stop)}</mj-raw>`;
      i = stop;
      continue;
    }
    out += source[i];
    i++;
  }
  return out;
}

/** Reads `<name …>`, `</name>` or `<name … />` at `start`, skipping quoted values and Liquid inside. */
function readElementTag(source: string, start: number): ElementTag | undefined {
  const head = /^<(\/?)([a-zA-Z][\w-]*)/.exec(source.slice(start, start + 64));
  if (head === null) return undefined;
  let quote: string | undefined;
  for (let i = start + head[0].length; i < source.length; i++) {
    const char = source[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === ">") {
      return {
        name: (head[2] ?? "").toLowerCase(),
        closing: head[1] === "/",
        selfClosing: source[i - 1] === "/",
        end: i + 1,
      };
    }
  }
  return undefined;
}

/** End of a run of Liquid tags separated only by spaces or tabs, starting at a tag at `start`. */
function liquidRunEnd(source: string, start: number): number {
  let end = start;
  let i = start;
  for (;;) {
    if (!(source.startsWith("{{", i) || source.startsWith("{%", i))) return end;
    const close = liquidTagEnd(source, i);
    if (close === -1) return end === start ? start + 2 : end;
    end = close;
    i = close;
    while (source[i] === " " || source[i] === "\t") i++;
  }
}

/**
 * Adds `<mj-title>{{ email.subject }}</mj-title>` and the hidden preheader `<mj-preview>{{ email.preheader
 * }}</mj-preview>` to the head (creating `<mj-head>` if needed) unless the layout has its own, and
 * `lang="{{ customer.language }}"` on `<mjml>` when it sets none (MJML would say `und`). No line breaks added.
 */
export function injectHead(source: string): string {
  const title = source.includes("<mj-title") ? "" : "<mj-title>{{ email.subject }}</mj-title>";
  const preview = source.includes("<mj-preview") ? "" : "<mj-preview>{{ email.preheader }}</mj-preview>";
  let out = source.replace(/<mjml(?![^>]*\blang=)([^>]*)>/, '<mjml lang="{{ customer.language }}"$1>');
  if (title === "" && preview === "") return out;
  if (/<mj-head\s*>/.test(out)) return out.replace(/<mj-head\s*>/, (head) => `${head}${title}${preview}`);
  out = out.replace(/<mjml\b[^>]*>/, (open) => `${open}<mj-head>${title}${preview}</mj-head>`);
  return out;
}
