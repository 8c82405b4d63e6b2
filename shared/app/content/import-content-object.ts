import { TailorError } from "../../errors.js";
import type { Clock, ContentStore } from "../../ports.js";
import type { FeedObjects } from "../catalog/import-feed-object.js";
import type { ContentFileFormat } from "./content-file.js";
import { type ContentImportReport, importContent } from "./import-content.js";

/** Where content library files are dropped in the feed bucket (catalog feeds go under `feeds/`). */
export const CONTENT_PREFIX = "content/";

/** An object that is no content file (outside `content/`, a wrong name): never retried, it reaches the alarm. */
export class ContentObjectError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

/** What importing one content object did. */
export interface ContentObjectImport {
  readonly key: string;
  readonly format: ContentFileFormat;
  readonly report: ContentImportReport;
}

/** What {@link importContentObject} needs: the library, the bucket's objects (read whole) and the clock. */
export interface ContentObjectDeps {
  readonly store: ContentStore;
  readonly objects: Pick<FeedObjects, "open">;
  readonly clock: Clock;
}

const FORMATS: readonly (readonly [string, ContentFileFormat])[] = [
  [".json", "json"],
  [".jsonl", "jsonl"],
  [".ndjson", "jsonl"],
  [".csv", "csv"],
];

/**
 * A content object's format and compression by its key: `content/<name>.<json|jsonl|ndjson|csv>[.gz]`. Resolves
 * an error message for a key it cannot import.
 */
export function contentObjectFormatOf(
  key: string,
): { readonly format: ContentFileFormat; readonly gzip: boolean } | { readonly error: string } {
  if (!key.startsWith(CONTENT_PREFIX)) return { error: `${key}: content files go under ${CONTENT_PREFIX}` };
  const lower = key.toLowerCase();
  const gzip = lower.endsWith(".gz");
  const name = gzip ? lower.slice(0, -".gz".length) : lower;
  const found = FORMATS.find(([extension]) => name.endsWith(extension));
  if (found === undefined) {
    return { error: `${key}: the file name must end in .json, .jsonl, .ndjson or .csv (optionally .gz)` };
  }
  return { format: found[1], gzip };
}

/**
 * Imports the content library file an S3 object holds (`content/…`) with the use case `tailor content import`
 * runs ({@link importContent}): rows checked, bad rows reported with their line, id and problems, items that left
 * the file retired. A key with another name or a file that is not its format throws (never retried); the report
 * of an import with refused rows is returned, not thrown: the valid rows are in.
 */
export async function importContentObject(
  deps: ContentObjectDeps,
  key: string,
): Promise<ContentObjectImport> {
  const location = contentObjectFormatOf(key);
  if ("error" in location) throw new ContentObjectError(location.error);
  const chunks: Buffer[] = [];
  for await (const chunk of await deps.objects.open(key, { gzip: location.gzip })) {
    chunks.push(Buffer.from(chunk));
  }
  const text = Buffer.concat(chunks).toString("utf8");
  const report = await importContent(deps.store, { text, format: location.format }, deps.clock.now());
  return { key, format: location.format, report };
}
