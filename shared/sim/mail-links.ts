/** The links of an email a recipient may click, product pages first. */
export interface ClickableLinks {
  /** Links to a page of a known product, with that product's id. */
  readonly products: readonly { readonly url: string; readonly productId: string }[];
  /** Other http(s) links (shop pages, offers). */
  readonly others: readonly string[];
}

const HREF = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/gi;
const ANGLE_URL = /<([^>]+)>/g;
const OPT_OUT_PATH = /unsubscribe|preferences|opt-?out/i;

const unescapeHtml = (value: string) =>
  value.replace(/&(amp|quot|#39|#x27|lt|gt);/g, (_, name: string) =>
    name === "amp" ? "&" : name === "quot" ? '"' : name === "lt" ? "<" : name === "gt" ? ">" : "'",
  );

/** The URLs of a `List-Unsubscribe` header (`<https://…>, <mailto:…>`). */
export function listUnsubscribeUrls(headers: readonly { name: string; value: string }[]): Set<string> {
  const urls = new Set<string>();
  for (const header of headers) {
    if (header.name.toLowerCase() !== "list-unsubscribe") continue;
    for (const match of header.value.matchAll(ANGLE_URL))
      if (match[1] !== undefined) urls.add(match[1].trim());
  }
  return urls;
}

/**
 * The links of `html` a recipient may click: http(s) only, never an opt-out link (an unsubscribe or preferences
 * page, a link of the `List-Unsubscribe` header, or any signed link carrying a `t` token). A link whose path is
 * a product page of `productsByPath` (URL path → product id) is a product link.
 */
export function clickableLinks(
  html: string,
  optOutUrls: ReadonlySet<string>,
  productsByPath: ReadonlyMap<string, string>,
): ClickableLinks {
  const products: { url: string; productId: string }[] = [];
  const others: string[] = [];
  const seen = new Set<string>();
  for (const match of html.matchAll(HREF)) {
    const url = unescapeHtml((match[1] ?? match[2] ?? "").trim());
    if (seen.has(url) || optOutUrls.has(url) || !URL.canParse(url)) continue;
    seen.add(url);
    const parsed = new URL(url);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") continue;
    if (parsed.searchParams.has("t") || OPT_OUT_PATH.test(parsed.pathname)) continue;
    const productId = productsByPath.get(parsed.pathname);
    if (productId === undefined) others.push(url);
    else products.push({ url, productId });
  }
  return { products, others };
}
