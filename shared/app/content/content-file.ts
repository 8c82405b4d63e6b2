import { parse } from "csv-parse/sync";
import { TailorError } from "../../errors.js";

/** A content file's format: a JSON array, JSON Lines (one object a line), or CSV with a header row. */
export type ContentFileFormat = "json" | "jsonl" | "csv";

/** One row of a content file and its line (1-based; in CSV the line the record ends on, in a JSON array its position). */
export interface ContentFileRow {
  readonly line: number;
  readonly value: unknown;
}

/** A row that could not be read at all (bad JSON on a line); the others are still read. */
export interface UnreadableRow {
  readonly line: number;
  readonly reason: string;
}

/** The file cannot be read as its format (a JSON array that does not parse, a CSV without its header). */
export class ContentFileError extends TailorError {
  constructor(message: string, cause?: unknown) {
    super(message, { retryable: false, cause });
  }
}

/** The format by file name: `.csv`, `.jsonl`/`.ndjson`, else JSON (an array, or JSON Lines when it is not one). */
export function contentFormatOf(name: string): ContentFileFormat {
  const lower = name.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "jsonl";
  return "json";
}

/**
 * The rows of a content file. A `.json` file whose text does not start with `[` is read as JSON Lines. Blank
 * lines of JSON Lines are skipped; a line that is not JSON is an unreadable row (named by its line).
 */
export function readContentFile(
  text: string,
  format: ContentFileFormat,
): { readonly rows: ContentFileRow[]; readonly unreadable: UnreadableRow[] } {
  const body = text.replace(/^\uFEFF/, "");
  if (format === "csv") return { rows: csvRows(body), unreadable: [] };
  if (format === "json" && body.trimStart().startsWith("["))
    return { rows: jsonArrayRows(body), unreadable: [] };
  return jsonLines(body);
}

function jsonArrayRows(body: string): ContentFileRow[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new ContentFileError(
      `not a JSON array: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
  if (!Array.isArray(parsed)) throw new ContentFileError("not a JSON array of content items");
  // A JSON array has no line per item: rows are numbered by position (1-based).
  return parsed.map((value: unknown, index) => ({ line: index + 1, value }));
}

function jsonLines(body: string): { rows: ContentFileRow[]; unreadable: UnreadableRow[] } {
  const rows: ContentFileRow[] = [];
  const unreadable: UnreadableRow[] = [];
  for (const [index, raw] of body.split(/\r?\n/).entries()) {
    if (raw.trim() === "") continue;
    try {
      rows.push({ line: index + 1, value: JSON.parse(raw) });
    } catch (error) {
      unreadable.push({
        line: index + 1,
        reason: `not JSON: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }
  return { rows, unreadable };
}

function csvRows(body: string): ContentFileRow[] {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(body, {
      columns: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
      relax_column_count: false,
    });
  } catch (error) {
    throw new ContentFileError(
      `not CSV with a header row: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
  return records.map(({ record, info }) => ({ line: info.lines, value: record }));
}
