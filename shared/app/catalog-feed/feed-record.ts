/** A row error: where, which field, which rule. Counted and reported; it never aborts an import. */
export interface FeedRowError {
  /** 1-based line of the feed file where the row starts (the item's line in XML). */
  readonly line: number;
  readonly field: string;
  readonly rule: string;
  /** The row's product id when it could be read: an import never retires a product whose row had an error. */
  readonly productId?: string;
}

/**
 * One row of a feed as read, before it becomes a product: attribute name (lower case, `g:` prefix and spaces
 * removed: `image_link`) → its values (repeated XML elements, or one value from a CSV/TSV/JSON cell); or an error
 * when the row could not be read at all (a malformed JSON line, an unclosed quote).
 */
export type FeedRecord =
  | { readonly line: number; readonly fields: ReadonlyMap<string, readonly string[]> }
  | { readonly line: number; readonly error: FeedRowError };

/** Bytes or text, as a file stream or an S3 body gives them. */
export type FeedInput = AsyncIterable<Uint8Array | string>;

/** An attribute name as the feed readers key it: `g:image_link`, `Image Link` and `image_link` are the same. */
export function attributeName(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/^g:/, "")
    .replace(/[\s-]+/g, "_");
}
