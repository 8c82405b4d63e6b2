/** Where the API serves short links: `<api>/l/<token>`. */
export const SHORT_LINK_PATH = "/l/";

/** One link of a text, stored under its id with the send so the short link can lead to it and be attributed. */
export interface ShortLink {
  /** 12 base64url characters (9 bytes), derived from the send key, the link's place and its target. */
  readonly id: string;
  /** The long URL the short link redirects to. */
  readonly target: string;
  readonly customerId: string;
  readonly campaignId: string;
  readonly variant: string;
  /** The send's key (the text's `message_id` in the `SMS Clicked` event). */
  readonly sendKey: string;
  /** Epoch ms after which the link answers 404 (and the item expires). */
  readonly expiresAt: number;
}

/** An http(s) URL in a text, up to whitespace or a quote; trailing sentence punctuation is not part of it. */
const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;
const TRAILING = /[.,;:!?)\]]+$/;

/**
 * Replaces every http(s) URL of a text with `replace(url, index)` (index: its place among the text's URLs, from
 * 0). Punctuation ending a sentence after a URL stays in the text.
 */
export function replaceTextLinks(text: string, replace: (url: string, index: number) => string): string {
  let index = 0;
  return text.replace(URL_IN_TEXT, (match) => {
    const trailing = TRAILING.exec(match)?.[0] ?? "";
    const url = match.slice(0, match.length - trailing.length);
    if (url.length <= "https://".length) return match;
    return `${replace(url, index++)}${trailing}`;
  });
}
