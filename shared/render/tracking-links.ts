/** What every tracked link is tagged with. */
export interface LinkTags {
  /** `utm_source`, e.g. `tailor`. */
  readonly source: string;
  /** `utm_campaign`: the campaign id. */
  readonly campaign: string;
  /** `utm_content`: the variant id. */
  readonly variant: string;
  /** `utm_term`: the template name. */
  readonly template: string;
}

/** Links that must not be tagged (the signed links: their URL is what the customer's client fetches). */
export type UntrackedPrefixes = readonly string[];

let lastTags: LinkTags | undefined;
let lastQuery = "";

/** The query string of the tags, encoded once per (campaign, variant, template). */
function tagQuery(tags: LinkTags): string {
  const last = lastTags;
  if (
    last !== undefined &&
    last.source === tags.source &&
    last.campaign === tags.campaign &&
    last.variant === tags.variant &&
    last.template === tags.template
  ) {
    return lastQuery;
  }
  lastQuery = encodeTags(tags);
  lastTags = { ...tags };
  return lastQuery;
}

function encodeTags(tags: LinkTags): string {
  return new URLSearchParams({
    utm_source: tags.source,
    utm_medium: "email",
    utm_campaign: tags.campaign,
    utm_content: tags.variant,
    utm_term: tags.template,
  }).toString();
}

function tagUrl(url: string, query: string, untracked: UntrackedPrefixes): string {
  if (!/^https?:\/\//i.test(url) || untracked.some((prefix) => url.startsWith(prefix))) return url;
  if (!/[?&]utm_/i.test(url)) {
    // The common case, without parsing: append before any fragment.
    const hash = url.indexOf("#");
    const base = hash === -1 ? url : url.slice(0, hash);
    const fragment = hash === -1 ? "" : url.slice(hash);
    const joiner = !base.includes("?") ? "?" : base.endsWith("?") || base.endsWith("&") ? "" : "&";
    return `${base}${joiner}${query}${fragment}`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const params = parsed.searchParams;
  // Tags a marketer wrote by hand win.
  for (const [key, value] of new URLSearchParams(query)) if (!params.has(key)) params.set(key, value);
  return parsed.toString();
}

const unescapeAttr = (value: string) =>
  !value.includes("&")
    ? value
    : value.replace(/&(amp|quot|#39|lt|gt);/g, (_, name: string) =>
        name === "amp" ? "&" : name === "quot" ? '"' : name === "#39" ? "'" : name === "lt" ? "<" : ">",
      );
const escapeAttr = (value: string) =>
  !/[&"<>]/.test(value)
    ? value
    : value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

const WORD_CHAR = /\w/;
const HTTP = /^https?:\/\//i;

/** One `href="http(s)://…"` value of `html`: its bounds, as `/\bhref="(https?:\/\/[^"]*)"/gi` would find it. */
interface HrefValue {
  readonly start: number;
  readonly end: number;
}

/**
 * The `http(s)` href values of `html`. Looks for `f="` and `F="` with `indexOf`, then checks the `hre` before
 * them: on a 50 KB email, a case-insensitive pattern costs more than the tagging itself.
 */
function hrefValues(html: string): HrefValue[] {
  const found: HrefValue[] = [];
  let lower = html.indexOf('f="');
  let upper = html.indexOf('F="');
  while (lower !== -1 || upper !== -1) {
    let at: number;
    if (upper === -1 || (lower !== -1 && lower < upper)) {
      at = lower;
      lower = html.indexOf('f="', lower + 1);
    } else {
      at = upper;
      upper = html.indexOf('F="', upper + 1);
    }
    const name = at - 3;
    if (name < 0 || html.slice(name, at).toLowerCase() !== "hre") continue;
    if (name > 0 && WORD_CHAR.test(html.charAt(name - 1))) continue;
    const start = at + 3;
    const end = html.indexOf('"', start);
    if (end === -1 || !HTTP.test(html.slice(start, start + 8))) continue;
    found.push({ start, end });
    // Resume after the value, as a global pattern would.
    if (lower !== -1 && lower < end) lower = html.indexOf('f="', end + 1);
    if (upper !== -1 && upper < end) upper = html.indexOf('F="', end + 1);
  }
  return found;
}

function tagHref(href: string, query: string, untracked: UntrackedPrefixes): string {
  const url = unescapeAttr(href);
  const tagged = tagUrl(url, query, untracked);
  return tagged === url ? href : escapeAttr(tagged);
}

/**
 * Adds UTM parameters (`utm_source`, `utm_medium=email`, `utm_campaign`, `utm_content` = variant, `utm_term` =
 * template) to every `http(s)` link (`href="…"`) of the rendered HTML, except the signed links.
 */
export function tagHtmlLinks(html: string, tags: LinkTags, untracked: UntrackedPrefixes): string {
  const query = tagQuery(tags);
  let out = "";
  let from = 0;
  for (const { start, end } of hrefValues(html)) {
    out += html.slice(from, start) + tagHref(html.slice(start, end), query, untracked);
    from = end;
  }
  return out + html.slice(from);
}

/** The same for the text part, where links are written `[https://…]`. */
export function tagTextLinks(text: string, tags: LinkTags, untracked: UntrackedPrefixes): string {
  const query = tagQuery(tags);
  return text.replace(
    /\[(https?:\/\/[^\]\s]+)\]/gi,
    (_, url: string) => `[${tagUrl(url, query, untracked)}]`,
  );
}
