import { LocalStackError } from "#infra/local/local-errors.js";
import { parseCsv } from "./csv-parser.js";

// Kept here too for the callers that import it from this module.
export { parseCsv } from "./csv-parser.js";

/** The customer ids of a CSV file, and the rows that had none. */
export interface CustomerIdList {
  readonly ids: string[];
  /** `line 7: empty customerId`, … */
  readonly problems: string[];
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
