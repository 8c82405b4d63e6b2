/** A Liquid tag found in source text. */
export interface LiquidTag {
  /** `output` for `{{ … }}`, `tag` for `{% … %}`. */
  readonly kind: "output" | "tag";
  /** The whole tag as written, delimiters included. */
  readonly text: string;
  /** For `tag`: its name (`if`, `endfor`, `assign`…); for `output`: the empty string. */
  readonly name: string;
  /** The inside of the tag without delimiters and whitespace-control dashes, trimmed. */
  readonly body: string;
  /** Offset of the first character. */
  readonly start: number;
  /** Offset just past the last character. */
  readonly end: number;
}

/**
 * Every Liquid tag of `source`, in order. Quotes inside a tag are honoured, so `{{ "}}" }}` is one tag. An
 * opening delimiter without its closing one ends the scan (LiquidJS reports it when parsing).
 */
export function scanLiquidTags(source: string): LiquidTag[] {
  const tags: LiquidTag[] = [];
  let at = 0;
  for (;;) {
    const open = nextOpen(source, at);
    if (open === -1) return tags;
    const kind = source[open + 1] === "{" ? "output" : "tag";
    const end = closeOf(source, open + 2, kind === "output" ? "}}" : "%}");
    if (end === -1) return tags;
    const text = source.slice(open, end);
    const body = text.slice(2, -2).replace(/^-|-$/g, "").trim();
    const name = kind === "tag" ? (/^[a-z_]+/i.exec(body)?.[0] ?? "") : "";
    tags.push({ kind, text, name, body, start: open, end });
    at = end;
  }
}

function nextOpen(source: string, from: number): number {
  const output = source.indexOf("{{", from);
  const tag = source.indexOf("{%", from);
  if (output === -1) return tag;
  if (tag === -1) return output;
  return Math.min(output, tag);
}

function closeOf(source: string, from: number, close: "}}" | "%}"): number {
  // An inline comment (`{% # … %}`) is free text: quotes in it open nothing.
  const comment = close === "%}" && /^-?\s*#/.test(source.slice(from, from + 64));
  let quote: string | undefined;
  for (let i = from; i < source.length; i++) {
    const char = source[i];
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
    } else if (!comment && (char === '"' || char === "'")) {
      quote = char;
    } else if (char === close[0] && source[i + 1] === close[1]) {
      return i + 2;
    }
  }
  return -1;
}

/** End (exclusive) of the Liquid tag opening at `start` (`{{` or `{%`), or -1 when it is not closed. */
export function liquidTagEnd(source: string, start: number): number {
  return closeOf(source, start + 2, source[start + 1] === "{" ? "}}" : "%}");
}

/** 1-based line of `offset` in `source`. */
export function lineAt(source: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < source.length; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}
