import { parse } from "csv-parse";
import { attributeName, type FeedInput, type FeedRecord } from "./feed-record.js";

/**
 * Reads a delimited feed (CSV, or the Merchant Center's tab-separated text feed with `delimiter: "\t"`) record by
 * record with csv-parse, in constant memory: the first row names the columns; a row with another number of
 * cells, or one csv-parse cannot read (an unclosed quote), becomes an error naming its line, and reading goes on.
 */
export async function* delimitedRecords(
  input: FeedInput,
  options: { readonly delimiter: "," | "\t" },
): AsyncGenerator<FeedRecord> {
  const skipped: FeedRecord[] = [];
  const parser = parse({
    delimiter: options.delimiter,
    bom: true,
    info: true,
    relax_column_count: true,
    relax_quotes: options.delimiter === "\t",
    skip_empty_lines: true,
    trim: true,
    skip_records_with_error: true,
  });
  parser.on("skip", (error: { message: string; lines?: number }) => {
    skipped.push({
      line: error.lines ?? 0,
      error: { line: error.lines ?? 0, field: "row", rule: `unreadable: ${error.message}` },
    });
  });
  const feeding = (async () => {
    try {
      for await (const chunk of input) {
        if (!parser.write(chunk)) await new Promise((resolve) => parser.once("drain", resolve));
      }
      parser.end();
    } catch (error) {
      parser.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  })();
  let header: string[] | undefined;
  for await (const entry of parser) {
    for (const record of skipped.splice(0)) yield record;
    if (!isInfoRecord(entry)) continue;
    const { record, info } = entry;
    if (header === undefined) {
      header = record.map(attributeName);
      continue;
    }
    const line = info.lines;
    if (record.length !== header.length) {
      yield {
        line,
        error: { line, field: "row", rule: `expected ${header.length} cells, got ${record.length}` },
      };
      continue;
    }
    const fields = new Map<string, string[]>();
    header.forEach((name, index) => {
      const value = record[index] ?? "";
      if (value !== "") fields.set(name, [...(fields.get(name) ?? []), value]);
    });
    yield { line, fields };
  }
  for (const record of skipped.splice(0)) yield record;
  await feeding;
}

function isInfoRecord(value: unknown): value is { record: string[]; info: { lines: number } } {
  if (typeof value !== "object" || value === null) return false;
  if (!("record" in value) || !("info" in value)) return false;
  const { record, info } = value;
  return (
    Array.isArray(record) &&
    record.every((cell) => typeof cell === "string") &&
    typeof info === "object" &&
    info !== null &&
    "lines" in info &&
    typeof info.lines === "number"
  );
}
