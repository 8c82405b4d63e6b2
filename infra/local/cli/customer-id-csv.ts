import { LocalStackError } from "../local-errors.js";

/** The customer ids of a CSV file, and the rows that had none. */
export interface CustomerIdList {
  readonly ids: string[];
  /** `line 7: empty customerId`, … */
  readonly problems: string[];
}

interface Row {
  readonly line: number;
  readonly fields: string[];
}

/**
 * Parses CSV text (RFC 4180: comma-separated, fields optionally in double quotes, `""` for a quote inside
 * one, CRLF or LF line ends, a UTF-8 byte order mark ignored) into rows, each with the line it starts on.
 */
export function parseCsv(text: string): Row[] {
  const rows: Row[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let fieldStarted = false;
  let line = 1;
  let rowLine = 1;
  const source = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const endRow = () => {
    fields.push(field);
    rows.push({ line: rowLine, fields });
    fields = [];
    field = "";
    fieldStarted = false;
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (quoted) {
      if (c === '"' && source[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === "\n") line++;
        field += c;
      }
    } else if (c === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (c === ",") {
      fields.push(field);
      field = "";
      fieldStarted = false;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && source[i + 1] === "\n") i++;
      endRow();
      line++;
      rowLine = line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw new LocalStackError(`CSV: a quoted field opened on line ${rowLine} is never closed`);
  if (field !== "" || fields.length > 0) endRow();
  return rows;
}

/**
 * The values of the `customerId` column of a CSV file with a header row (other columns are ignored; blank
 * lines are skipped; ids are trimmed and de-duplicated, first occurrence kept).
 */
export function customerIdsFromCsv(text: string, column = "customerId"): CustomerIdList {
  const rows = parseCsv(text).filter((row) => row.fields.some((f) => f.trim() !== ""));
  const [header, ...records] = rows;
  const index = header?.fields.findIndex((name) => name.trim() === column) ?? -1;
  if (header === undefined || index < 0) {
    const seen = header === undefined ? "an empty file" : `header "${header.fields.join(",")}"`;
    throw new LocalStackError(`CSV: expected a header row with a "${column}" column, found ${seen}`);
  }
  const ids = new Set<string>();
  const problems: string[] = [];
  for (const { line, fields } of records) {
    const id = fields[index]?.trim() ?? "";
    if (id === "") problems.push(`line ${line}: empty ${column}`);
    else ids.add(id);
  }
  return { ids: [...ids], problems };
}
