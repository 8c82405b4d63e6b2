import { delimitedRecords } from "./delimited-feed.js";
import type { FeedInput, FeedRecord } from "./feed-record.js";
import { gmcXmlRecords } from "./gmc-xml-feed.js";
import { jsonRecords } from "./json-feed.js";
import { type FeedMarket, productFromFields, type RowOutcome } from "./product-from-fields.js";

/** The feed formats an import reads. */
export const FEED_FORMATS = ["csv", "json", "gmc-xml", "gmc-tsv"] as const;
export type FeedFormat = (typeof FEED_FORMATS)[number];

/** A feed's format from its file name (`.gz` aside): `.csv`, `.json`/`.jsonl`/`.ndjson`, `.xml`, `.tsv`/`.txt`. */
export function feedFormatOf(fileName: string): FeedFormat | undefined {
  const name = fileName.toLowerCase().replace(/\.gz$/, "");
  if (name.endsWith(".csv")) return "csv";
  if (name.endsWith(".json") || name.endsWith(".jsonl") || name.endsWith(".ndjson")) return "json";
  if (name.endsWith(".xml") || name.endsWith(".rss") || name.endsWith(".atom")) return "gmc-xml";
  if (name.endsWith(".tsv") || name.endsWith(".txt")) return "gmc-tsv";
  return undefined;
}

/** The records of a feed in `format`, read in constant memory. */
export function feedRecords(input: FeedInput, format: FeedFormat): AsyncGenerator<FeedRecord> {
  switch (format) {
    case "csv":
      return delimitedRecords(input, { delimiter: "," });
    case "gmc-tsv":
      return delimitedRecords(input, { delimiter: "\t" });
    case "json":
      return jsonRecords(input);
    case "gmc-xml":
      return gmcXmlRecords(input);
  }
}

/** Every row of a feed as a product or an error naming its line, field and rule. */
export async function* feedProducts(
  input: FeedInput,
  format: FeedFormat,
  market: FeedMarket = {},
): AsyncGenerator<RowOutcome> {
  for await (const record of feedRecords(input, format)) {
    if ("error" in record) yield { ok: false, error: record.error };
    else yield productFromFields(record.fields, record.line, market);
  }
}
