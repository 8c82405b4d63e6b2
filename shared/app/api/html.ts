/** HTML that is already safe to emit: built by {@link html}, never from raw input. */
export class SafeHtml {
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  toString(): string {
    return this.value;
  }
}

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for an HTML element body or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

type Part = SafeHtml | string | number | readonly SafeHtml[] | undefined;

function emit(part: Part): string {
  if (part === undefined) return "";
  if (part instanceof SafeHtml) return part.value;
  if (Array.isArray(part)) return part.map((p: SafeHtml) => p.value).join("");
  return escapeHtml(String(part));
}

/**
 * A template tag that escapes every interpolated string or number; only {@link SafeHtml} (another `html`
 * result) goes in as it is. So a page built with it cannot carry markup from a profile or a token.
 */
export function html(strings: TemplateStringsArray, ...parts: readonly Part[]): SafeHtml {
  let out = strings[0] ?? "";
  parts.forEach((part, i) => {
    out += emit(part) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}
