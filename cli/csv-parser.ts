import { LocalStackError } from "#infra/local/local-errors.js";

/** One CSV record and the line it starts on (1-based; a quoted field may span lines). */
export interface CsvRow {
  readonly line: number;
  readonly fields: string[];
}

/**
 * An incremental RFC 4180 reader: comma-separated, fields optionally in double quotes, `""` for a quote inside
 * one, CRLF or LF line ends, a UTF-8 byte order mark ignored. Text is pushed in chunks of any size (a record,
 * a quoted field or a CRLF may straddle two chunks); each push returns the records it completed, so a file of
 * any length is read in constant memory.
 */
export class CsvParser {
  #fields: string[] = [];
  #field = "";
  #quoted = false;
  /** A quote seen inside a quoted field: a second one is an escaped quote, anything else closes the field. */
  #quotePending = false;
  #fieldStarted = false;
  /** A CR ended the last record: an LF right after it belongs to the same line end. */
  #afterCr = false;
  #line = 1;
  #rowLine = 1;
  #started = false;

  /** Reads `chunk`; returns the records it completed. */
  push(chunk: string): CsvRow[] {
    const rows: CsvRow[] = [];
    let text = chunk;
    if (!this.#started && text.length > 0) {
      this.#started = true;
      if (text.startsWith("\uFEFF")) text = text.slice(1);
    }
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (this.#afterCr) {
        this.#afterCr = false;
        if (c === "\n") continue;
      }
      if (this.#quoted) {
        if (this.#quotePending) {
          this.#quotePending = false;
          if (c === '"') {
            this.#field += '"';
            continue;
          }
          this.#quoted = false;
        } else if (c === '"') {
          this.#quotePending = true;
          continue;
        } else {
          if (c === "\n") this.#line++;
          this.#field += c;
          continue;
        }
      }
      if (c === '"' && !this.#fieldStarted) {
        this.#quoted = true;
        this.#fieldStarted = true;
      } else if (c === ",") {
        this.#fields.push(this.#field);
        this.#field = "";
        this.#fieldStarted = false;
      } else if (c === "\n" || c === "\r") {
        this.#afterCr = c === "\r";
        rows.push(this.#endRow());
        this.#line++;
        this.#rowLine = this.#line;
      } else {
        this.#field += c;
        this.#fieldStarted = true;
      }
    }
    return rows;
  }

  /** Ends the text: the last record when it had no line end. Throws when a quoted field is still open. */
  end(): CsvRow[] {
    if (this.#quoted && !this.#quotePending) {
      throw new LocalStackError(`CSV: a quoted field opened on line ${this.#rowLine} is never closed`);
    }
    this.#quoted = false;
    this.#quotePending = false;
    return this.#field !== "" || this.#fields.length > 0 || this.#fieldStarted ? [this.#endRow()] : [];
  }

  #endRow(): CsvRow {
    this.#fields.push(this.#field);
    const row = { line: this.#rowLine, fields: this.#fields };
    this.#fields = [];
    this.#field = "";
    this.#fieldStarted = false;
    return row;
  }
}

/** Parses a whole CSV text (see {@link CsvParser}) into records, each with the line it starts on. */
export function parseCsv(text: string): CsvRow[] {
  const parser = new CsvParser();
  return [...parser.push(text), ...parser.end()];
}
