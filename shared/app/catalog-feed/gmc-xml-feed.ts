import { StringDecoder } from "node:string_decoder";
import sax from "sax";
import { attributeName, type FeedInput, type FeedRecord } from "./feed-record.js";

/** Most XML errors reported per feed: after that a broken file would only repeat itself. */
const XML_ERRORS_MAX = 100;

/**
 * Reads a Google Merchant Center XML feed in constant memory with sax: RSS 2.0 (`<item>` under `<channel>`) or
 * Atom 1.0 (`<entry>`), the attributes as the item's child elements in the `g:` namespace
 * (`<g:id>`, `<g:price>15.00 USD</g:price>`) or plain (`<title>`, `<link>`, Atom's `<link href="…"/>`).
 * A repeated element (`g:additional_image_link`) gives several values; a group (`g:shipping`) is skipped. A
 * well-formedness error becomes an error naming its line, and reading resumes after it.
 */
export async function* gmcXmlRecords(input: FeedInput): AsyncGenerator<FeedRecord> {
  const out: FeedRecord[] = [];
  const parser = sax.parser(true, { trim: true, normalize: false, position: true });
  let item: { line: number; fields: Map<string, string[]> } | undefined;
  /** Depth under the item: 1 is an attribute element; deeper is a group's member, skipped. */
  let depth = 0;
  let text = "";
  let errors = 0;
  const isItem = (name: string) => {
    const local = name.toLowerCase().replace(/^.*:/, "");
    return local === "item" || local === "entry";
  };
  const add = (name: string, value: string) => {
    if (item === undefined || value === "") return;
    const key = attributeName(name.replace(/^[^:]*:/, "g:"));
    item.fields.set(key, [...(item.fields.get(key) ?? []), value]);
  };
  parser.onopentag = (tag) => {
    if (item === undefined) {
      if (isItem(tag.name)) {
        item = { line: parser.line + 1, fields: new Map() };
        depth = 0;
      }
      return;
    }
    depth++;
    text = "";
    // Atom's link: <link rel="alternate" href="…"/>.
    const href = tag.attributes.href;
    if (depth === 1 && typeof href === "string" && attributeName(tag.name) === "link") add("link", href);
  };
  parser.ontext = (chunk) => {
    if (item !== undefined && depth === 1) text += chunk;
  };
  parser.oncdata = (chunk) => {
    if (item !== undefined && depth === 1) text += chunk;
  };
  parser.onclosetag = (name) => {
    if (item === undefined) return;
    if (depth === 0 && isItem(name)) {
      out.push({ line: item.line, fields: item.fields });
      item = undefined;
      return;
    }
    if (depth === 1) add(name, text.trim());
    depth--;
    text = "";
  };
  parser.onerror = (error) => {
    errors++;
    const line = parser.line + 1;
    if (errors <= XML_ERRORS_MAX) {
      const reason = error.message.split("\n")[0] ?? "malformed";
      out.push({ line, error: { line, field: "xml", rule: `not well-formed XML (${reason})` } });
    }
    item = undefined;
    depth = 0;
    parser.resume();
  };
  const decoder = new StringDecoder("utf8");
  for await (const chunk of input) {
    parser.write(typeof chunk === "string" ? chunk : decoder.write(Buffer.from(chunk)));
    yield* out.splice(0);
  }
  parser.write(decoder.end());
  parser.close();
  yield* out.splice(0);
}
