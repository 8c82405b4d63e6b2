import { parseSegmentIds } from "../in-segment-tag.js";
import { lineAt, scanLiquidTags } from "../liquid-tags.js";

/** A problem at a line of a prepared source. */
export interface SourceIssue {
  readonly line: number;
  readonly message: string;
}

const ALT = /\balt\s*=\s*(?:"([^"]*)"|'([^']*)')/i;

/** Every `<mj-image>` and `<img>` must say what it shows: a non-empty `alt`. */
export function checkAltText(source: string): SourceIssue[] {
  const issues: SourceIssue[] = [];
  for (const match of source.matchAll(/<(mj-image|img)\b[^>]*>/gi)) {
    const alt = ALT.exec(match[0]);
    const text = alt?.[1] ?? alt?.[2];
    if (text === undefined || text.trim() === "") {
      issues.push({
        line: lineAt(source, match.index),
        message: `<${match[1]}> without alt text: add alt="…" (what the image shows)`,
      });
    }
  }
  return issues;
}

/**
 * `raw` turns escaping off, so it may only print what the template itself wrote: a string literal, or a
 * variable the template filled with `{% capture %}` (whose `{{ }}` were escaped when captured). Anything else,
 * e.g. `{{ customer.first_name | raw }}`, could inject the customer's data as HTML.
 */
export function checkRawUse(source: string): SourceIssue[] {
  const tags = scanLiquidTags(source);
  const captured = new Set(
    tags.flatMap((tag) => {
      const name = tag.name === "capture" ? /^capture\s+([\w-]+)/.exec(tag.body)?.[1] : undefined;
      return name === undefined ? [] : [name];
    }),
  );
  const issues: SourceIssue[] = [];
  for (const tag of tags) {
    if (tag.kind !== "output") continue;
    const [input = "", ...filters] = splitFilters(tag.body);
    if (!filters.some((filter) => /^raw\b/.test(filter))) continue;
    const literal = /^(?:"[^"]*"|'[^']*')$/.test(input);
    if (!literal && !captured.has(input)) {
      issues.push({
        line: lineAt(source, tag.start),
        message: `${tag.text}: "raw" is only for HTML the template wrote (a string or a {% capture %}), never for data`,
      });
    }
  }
  return issues;
}

/** Splits `a | f: "x|y" | g` at the pipes outside quotes, trimmed. */
export function splitFilters(body: string): string[] {
  const parts: string[] = [];
  let quote: string | undefined;
  let current = "";
  for (const char of body) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === "|") {
      parts.push(current.trim());
      current = "";
      continue;
    }
    current += char;
  }
  parts.push(current.trim());
  return parts;
}

/** Segment ids named by `{% in_segment %}` tags and `in_segment:` filters, with their lines. */
export function segmentReferences(source: string): { id: string; line: number }[] {
  const refs: { id: string; line: number }[] = [];
  for (const tag of scanLiquidTags(source)) {
    const line = lineAt(source, tag.start);
    if (tag.kind === "tag" && tag.name === "in_segment") {
      try {
        for (const id of parseSegmentIds(tag.body.slice("in_segment".length))) refs.push({ id, line });
      } catch {
        // Parsing the template reports the malformed tag.
      }
    }
    const filter = /\bin_segment\s*:\s*((?:\s*(?:"[^"]*"|'[^']*')\s*,?)+)/.exec(tag.body);
    if (filter?.[1] !== undefined) {
      for (const id of filter[1].matchAll(/"([^"]*)"|'([^']*)'/g))
        refs.push({ id: id[1] ?? id[2] ?? "", line });
    }
  }
  return refs;
}
