import { type ContentItem, readContentRow } from "../../domain/catalog/index.js";
import type { ContentStore } from "../../ports.js";
import { type ContentFileFormat, readContentFile } from "./content-file.js";

/** A row that was not imported, and why (each problem names the field and the rule). */
export interface ContentRowError {
  readonly line: number;
  /** The row's id, when it had a readable one. */
  readonly id?: string;
  readonly problems: readonly string[];
}

/** What an import did. */
export interface ContentImportReport {
  /** Rows read from the file. */
  readonly rows: number;
  /** Items written (new or changed). */
  readonly written: number;
  /** Items already in the library exactly as in the file. */
  readonly unchanged: number;
  /** Ids of the items retired because they left the file. */
  readonly retired: readonly string[];
  /** Rows not imported. */
  readonly errors: readonly ContentRowError[];
}

/** Stops an import whose file holds no valid item while the library has some: nothing is retired then. */
export const EMPTY_IMPORT_REASON = "no valid item in the file: nothing written and nothing retired";

const idOf = (value: unknown): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined;
  const id: unknown = Reflect.get(value, "id");
  return typeof id === "string" && id.trim() !== "" ? id.trim() : undefined;
};

const sameItem = (a: ContentItem, b: ContentItem): boolean =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

/**
 * Imports a content library file (JSON array, JSON Lines or CSV): every row is checked
 * ({@link readContentRow}); valid items that are new or changed are written; items of the library that left the
 * file are retired. A bad row is reported with its line, id and problems and is neither written nor retired
 * (its item keeps what the library had); a second row with an id already seen is an error. A file without a
 * single valid row retires nothing. Rerunning the same file writes nothing.
 */
export async function importContent(
  store: ContentStore,
  file: { readonly text: string; readonly format: ContentFileFormat },
  now: number,
): Promise<ContentImportReport> {
  const { rows, unreadable } = readContentFile(file.text, file.format);
  const errors: ContentRowError[] = unreadable.map((row) => ({ line: row.line, problems: [row.reason] }));
  const items = new Map<string, ContentItem>();
  const firstLine = new Map<string, number>();
  const kept = new Set<string>();
  for (const row of rows) {
    const id = idOf(row.value);
    const checked = readContentRow(row.value);
    const seen = id === undefined ? undefined : firstLine.get(id);
    if (seen !== undefined) {
      errors.push({
        line: row.line,
        ...(id === undefined ? {} : { id }),
        problems: [`id: repeats the id of line ${seen}`],
      });
      continue;
    }
    if (id !== undefined) {
      firstLine.set(id, row.line);
      kept.add(id);
    }
    if (checked.ok) items.set(checked.item.id, checked.item);
    else errors.push({ line: row.line, ...(id === undefined ? {} : { id }), problems: checked.problems });
  }
  const current = await store.all();
  if (items.size === 0 && current.length > 0) {
    errors.push({ line: 0, problems: [EMPTY_IMPORT_REASON] });
    return { rows: rows.length, written: 0, unchanged: 0, retired: [], errors };
  }
  const byId = new Map(current.map((item) => [item.id, item]));
  const changed = [...items.values()].filter((item) => {
    const before = byId.get(item.id);
    return before === undefined || !sameItem(before, item);
  });
  const retired = current.map((item) => item.id).filter((id) => !kept.has(id));
  if (changed.length > 0) await store.put(changed, now);
  if (retired.length > 0) await store.retire(retired, now);
  return {
    rows: rows.length,
    written: changed.length,
    unchanged: items.size - changed.length,
    retired,
    errors,
  };
}
