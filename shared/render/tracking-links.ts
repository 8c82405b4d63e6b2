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

/** The query string of the tags, encoded once per (campaign, variant, template). */
function tagQuery(tags: LinkTags): string {
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
  value.replace(/&(amp|quot|#39|lt|gt);/g, (_, name: string) =>
    name === "amp" ? "&" : name === "quot" ? '"' : name === "#39" ? "'" : name === "lt" ? "<" : ">",
  );
const escapeAttr = (value: string) =>
  value.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/**
 * Adds UTM parameters (`utm_source`, `utm_medium=email`, `utm_campaign`, `utm_content` = variant, `utm_term` =
 * template) to every `http(s)` link (`href="…"`) of the rendered HTML, except the signed links.
 */
export function tagHtmlLinks(html: string, tags: LinkTags, untracked: UntrackedPrefixes): string {
  const query = tagQuery(tags);
  return html.replace(/(\bhref=")(https?:\/\/[^"]*)(")/gi, (_, open: string, href: string, close: string) => {
    const url = unescapeAttr(href);
    const tagged = tagUrl(url, query, untracked);
    return tagged === url ? `${open}${href}${close}` : `${open}${escapeAttr(tagged)}${close}`;
  });
}

/** The same for the text part, where links are written `[https://…]`. */
export function tagTextLinks(text: string, tags: LinkTags, untracked: UntrackedPrefixes): string {
  const query = tagQuery(tags);
  return text.replace(
    /\[(https?:\/\/[^\]\s]+)\]/gi,
    (_, url: string) => `[${tagUrl(url, query, untracked)}]`,
  );
}
