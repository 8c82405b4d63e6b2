import { StringDecoder } from "node:string_decoder";
import { attributeName, type FeedInput, type FeedRecord } from "./feed-record.js";

/** The longest JSON element (one product) read: a larger one is an error, so memory stays bounded. */
export const JSON_ELEMENT_MAX_CHARS = 1_000_000;

/**
 * Reads a JSON feed in constant memory: a JSON array of product objects (split element by element, never parsed
 * whole) or JSON Lines (one object per line), told apart by the first character. Each object becomes a record
 * (scalars as text, arrays of scalars as several values, objects such as `prices` as their JSON); an element that
 * is not valid JSON or not an object becomes an error naming its line.
 */
export async function* jsonRecords(input: FeedInput): AsyncGenerator<FeedRecord> {
  const decoder = new StringDecoder("utf8");
  const splitter = new ElementSplitter();
  for await (const chunk of input) {
    const text = typeof chunk === "string" ? chunk : decoder.write(Buffer.from(chunk));
    yield* splitter.push(text);
  }
  yield* splitter.push(decoder.end());
  yield* splitter.end();
}

/** Turns one JSON text into a record. */
export function jsonElementRecord(text: string, line: number): FeedRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { line, error: { line, field: "row", rule: `not valid JSON (${reason})` } };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { line, error: { line, field: "row", rule: "must be a JSON object" } };
  }
  const fields = new Map<string, string[]>();
  for (const [key, raw] of Object.entries(value)) {
    const values = jsonValues(raw);
    if (values.length > 0) fields.set(attributeName(key), values);
  }
  return { line, fields };
}

function jsonValues(raw: unknown): string[] {
  if (raw === null || raw === undefined) return [];
  if (typeof raw === "string") return raw === "" ? [] : [raw];
  if (typeof raw === "number" || typeof raw === "boolean") return [String(raw)];
  if (Array.isArray(raw) && raw.every((item) => typeof item !== "object" || item === null)) {
    return raw.flatMap(jsonValues);
  }
  return [JSON.stringify(raw)];
}

/** Splits a stream of JSON text into top-level elements: of an array, or one per line (JSON Lines). */
class ElementSplitter {
  #mode: "unknown" | "array" | "lines" = "unknown";
  #line = 1;
  #depth = 0;
  #inString = false;
  #escaped = false;
  #current = "";
  #startLine = 1;
  #ended = false;
  #oversized = false;

  *push(text: string): Generator<FeedRecord> {
    for (const char of text) {
      if (this.#mode === "unknown") {
        if (char === "\n") this.#line++;
        if (/\s/.test(char)) continue;
        this.#mode = char === "[" ? "array" : "lines";
        if (this.#mode === "array") continue;
      }
      if (this.#mode === "lines") yield* this.#lines(char);
      else yield* this.#array(char);
    }
  }

  *end(): Generator<FeedRecord> {
    if (this.#current.trim() !== "") {
      if (this.#mode === "array") {
        const line = this.#startLine;
        yield { line, error: { line, field: "row", rule: "the JSON array is not closed" } };
      } else yield this.#emit(this.#startLine);
    }
    this.#current = "";
  }

  *#lines(char: string): Generator<FeedRecord> {
    if (char === "\n") {
      if (this.#current.trim() !== "") yield this.#emit(this.#line);
      this.#current = "";
      this.#line++;
      this.#startLine = this.#line;
      return;
    }
    this.#append(char);
  }

  *#array(char: string): Generator<FeedRecord> {
    if (this.#ended) {
      if (char === "\n") this.#line++;
      return;
    }
    if (char === "\n") this.#line++;
    if (this.#inString) {
      if (this.#escaped) this.#escaped = false;
      else if (char === "\\") this.#escaped = true;
      else if (char === '"') this.#inString = false;
      this.#append(char);
      return;
    }
    if (this.#depth === 0 && (char === "," || char === "]")) {
      if (this.#current.trim() !== "") yield this.#emit(this.#startLine);
      this.#current = "";
      if (char === "]") this.#ended = true;
      return;
    }
    if (this.#depth === 0 && this.#current.trim() === "") this.#startLine = this.#line;
    if (char === '"') this.#inString = true;
    else if (char === "{" || char === "[") this.#depth++;
    else if (char === "}" || char === "]") this.#depth--;
    this.#append(char);
  }

  #append(char: string): void {
    if (this.#current.length >= JSON_ELEMENT_MAX_CHARS) this.#oversized = true;
    else this.#current += char;
  }

  /** The element read so far as a record, and a fresh start. */
  #emit(line: number): FeedRecord {
    const record: FeedRecord = this.#oversized
      ? { line, error: { line, field: "row", rule: `longer than ${JSON_ELEMENT_MAX_CHARS} characters` } }
      : jsonElementRecord(this.#current, line);
    this.#current = "";
    this.#oversized = false;
    return record;
  }
}
