import { type FeedFormat, feedFormatOf } from "./read-feed.js";

/** Where feeds are dropped in the feed bucket. */
export const FEEDS_PREFIX = "feeds/";
/** Where an import that ran out of time leaves the row to resume from. */
export const CHECKPOINTS_PREFIX = "checkpoints/";

/** What an S3 key says about the feed under it. */
export interface FeedLocation {
  readonly format: FeedFormat;
  /** A market feed: `feeds/market=de-DE/currency=EUR/prices.csv`. */
  readonly market?: string;
  readonly currency?: string;
  readonly gzip: boolean;
}

/**
 * Reads a feed's S3 key: `feeds/<name>.<csv|json|jsonl|xml|tsv|txt>[.gz]` is the main feed;
 * `market=<locale>/` and `currency=<ISO 4217>/` path segments make it a market feed (merged into the products'
 * `prices` and `urls`, nothing retired). Resolves an error message for a key it cannot import.
 */
export function feedLocationOf(key: string): FeedLocation | { readonly error: string } {
  if (!key.startsWith(FEEDS_PREFIX)) return { error: `${key}: feeds go under ${FEEDS_PREFIX}` };
  const format = feedFormatOf(key);
  if (format === undefined) {
    return {
      error: `${key}: the file name must end in .csv, .json, .jsonl, .xml, .tsv or .txt (optionally .gz)`,
    };
  }
  const segments = key.slice(FEEDS_PREFIX.length).split("/").slice(0, -1);
  const setting = (name: string) =>
    segments.find((segment) => segment.startsWith(`${name}=`))?.slice(name.length + 1);
  const market = setting("market");
  const currency = setting("currency")?.toUpperCase();
  if (currency !== undefined && !/^[A-Z]{3}$/.test(currency)) {
    return { error: `${key}: currency= must be a 3-letter ISO 4217 code, e.g. currency=EUR` };
  }
  return {
    format,
    gzip: key.toLowerCase().endsWith(".gz"),
    ...(market === undefined || market === "" ? {} : { market }),
    ...(currency === undefined ? {} : { currency }),
  };
}
