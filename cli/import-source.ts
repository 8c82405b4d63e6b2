import { createReadStream } from "node:fs";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import { LocalStackError } from "#infra/local/local-errors.js";
import { CsvParser } from "./csv-parser.js";
import type { Cell, ImportMapping, Refusal } from "./import-mapping.js";

/** The formats `tailor import` reads. */
export type ImportFormat = "csv" | "jsonl";

/** The format of `file`: `--format`, else its extension (`.csv`; `.jsonl`, `.ndjson`, `.json`). */
export function importFormat(file: string, flag: string | undefined): ImportFormat {
  if (flag === "csv" || flag === "jsonl") return flag;
  if (flag !== undefined) throw new LocalStackError(`--format: expected csv or jsonl, got "${flag}"`);
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv") return "csv";
  if (ext === ".jsonl" || ext === ".ndjson" || ext === ".json") return "jsonl";
  throw new LocalStackError(
    `cannot tell the format of ${file} from its extension: give --format csv or --format jsonl`,
  );
}

/**
 * One record of the file, not yet mapped: its line, the customer id (for grouping), and its cells as read
 * (CSV fields, or the JSON line's text).
 */
export interface RawRecord {
  readonly line: number;
  readonly customerId: string;
  readonly payload: string[] | string;
}

/** What reading yields: a record, or a refusal of a line that cannot be a record at all. */
export type ReadItem = { readonly record: RawRecord } | { readonly refused: Refusal };

/** Turns a raw record's payload back into a cell lookup (CSV: by header position; JSON: by key). */
export type CellReader = (payload: string[] | string) => ((column: string) => Cell) | Refusal;

/** A file being read: its records, and how to read the cells of one. */
export interface ImportSource {
  readonly items: AsyncGenerator<ReadItem>;
  /** Available once the first item was read (CSV needs the header). */
  cells(): CellReader;
}

const CHUNK_BYTES = 1 << 20;

/** The text of `file` in chunks, decoded as UTF-8 across chunk boundaries; reports the bytes read. */
async function* chunks(file: string, onBytes: (bytes: number) => void): AsyncGenerator<string> {
  const decoder = new StringDecoder("utf8");
  for await (const chunk of createReadStream(file, { highWaterMark: CHUNK_BYTES })) {
    if (!(chunk instanceof Buffer)) continue;
    onBytes(chunk.byteLength);
    yield decoder.write(chunk);
  }
  const rest = decoder.end();
  if (rest !== "") yield rest;
}

const scalar = (value: unknown): Cell =>
  value === null ||
  value === undefined ||
  typeof value === "string" ||
  typeof value === "number" ||
  typeof value === "boolean"
    ? value
    : JSON.stringify(value);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Opens `file` for reading in constant memory. CSV: the first non-blank row is the header; a row whose number
 * of fields differs from the header's is refused (rule `columns`), blank lines are skipped. JSON lines: one
 * flat object per line (nested values are kept as their JSON text); a line that is not a JSON object is refused
 * (rule `json`). Throws when the CSV header has no customer id column.
 */
export function openSource(
  file: string,
  format: ImportFormat,
  mapping: ImportMapping,
  onBytes: (bytes: number) => void,
): ImportSource {
  const idColumn = mapping.columns.customer_id ?? "customer_id";
  let header: Map<string, number> | undefined;
  const csvCells: CellReader = (payload) => {
    if (typeof payload === "string" || header === undefined)
      return { line: 0, field: "", rule: "csv", message: "not a CSV row" };
    const columns = header;
    return (column) => {
      const index = columns.get(column);
      return index === undefined ? undefined : payload[index];
    };
  };
  const jsonCells: CellReader = (payload) => {
    if (typeof payload !== "string") return { line: 0, field: "", rule: "json", message: "not a JSON line" };
    const value: unknown = JSON.parse(payload);
    if (!isRecord(value)) return { line: 0, field: "", rule: "json", message: "expected a JSON object" };
    return (column) => scalar(value[column]);
  };

  async function* readCsv(): AsyncGenerator<ReadItem> {
    const parser = new CsvParser();
    let width = 0;
    let idIndex = -1;
    const handle = function* (rows: Iterable<{ line: number; fields: string[] }>): Generator<ReadItem> {
      for (const { line, fields } of rows) {
        if (fields.every((f) => f.trim() === "")) continue;
        if (header === undefined) {
          header = new Map(fields.map((name, i) => [name.trim(), i]));
          width = fields.length;
          idIndex = header.get(idColumn) ?? -1;
          if (idIndex < 0) {
            throw new LocalStackError(
              `${file}: expected a "${idColumn}" column in the header (found ${fields.map((f) => `"${f.trim()}"`).join(", ")}) — map yours with --mapping`,
            );
          }
          continue;
        }
        if (fields.length !== width) {
          yield refusal(
            line,
            "",
            "columns",
            `expected ${width} fields like the header, got ${fields.length}`,
          );
          continue;
        }
        const customerId = fields[idIndex]?.trim() ?? "";
        if (customerId === "") yield refusal(line, idColumn, "required", "required: the customer's id");
        else yield { record: { line, customerId, payload: fields } };
      }
    };
    for await (const text of chunks(file, onBytes)) yield* handle(parser.push(text));
    yield* handle(parser.end());
  }

  async function* readJsonLines(): AsyncGenerator<ReadItem> {
    let pending = "";
    let line = 0;
    const handle = function* (text: string): Generator<ReadItem> {
      line++;
      if (text.trim() === "") return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        yield refusal(
          line,
          "",
          "json",
          `not JSON: ${error instanceof Error ? error.message : String(error)}`,
        );
        return;
      }
      if (!isRecord(value)) {
        yield refusal(line, "", "json", "expected a JSON object");
        return;
      }
      const id = scalar(value[idColumn]);
      const customerId = id === null || id === undefined ? "" : String(id).trim();
      if (customerId === "") yield refusal(line, idColumn, "required", "required: the customer's id");
      else yield { record: { line, customerId, payload: text } };
    };
    for await (const text of chunks(file, onBytes)) {
      const parts = (pending + text).split("\n");
      pending = parts.pop() ?? "";
      for (const part of parts) yield* handle(part.endsWith("\r") ? part.slice(0, -1) : part);
    }
    if (pending !== "") yield* handle(pending);
  }

  return {
    items: format === "csv" ? readCsv() : readJsonLines(),
    cells: () => (format === "csv" ? csvCells : jsonCells),
  };
}

function refusal(line: number, field: string, rule: string, message: string): ReadItem {
  return { refused: { line, field, rule, message } };
}
