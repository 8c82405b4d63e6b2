import { z } from "zod";

/**
 * The raw event archive's line format: one stream record (a KPL user record once de-aggregated, as Firehose
 * delivers them) per line of JSON, its bytes untouched in base64, with where and when it arrived. The archive's
 * objects hold these lines (gzip), under one prefix per hour of arrival ({@link archiveHourPrefix}); the Glue
 * table reads the same fields, and replay puts `data` back on the stream with its `partitionKey`.
 */
export const ARCHIVE_FORMAT_VERSION = 1;

/** Where the archive's objects live in its bucket. */
export const ARCHIVE_PREFIX = "events/";

/** One archived record. */
export const archivedRecordSchema = z
  .object({
    /** The format version. */
    v: z.literal(ARCHIVE_FORMAT_VERSION),
    shardId: z.string().min(1).max(128),
    partitionKey: z.string().min(1).max(256),
    sequenceNumber: z.string().regex(/^\d{1,128}$/, "a sequence number is digits"),
    /** The user record's position in a KPL aggregate (absent for a plain record). */
    subsequenceNumber: z.number().int().min(0).max(1_000_000).optional(),
    /** When the stream received it (the record's approximate arrival time), ISO 8601 UTC. */
    arrivedAt: z.iso.datetime(),
    /** The record's bytes, base64. */
    data: z.base64(),
  })
  .strict();

/** One archived record, as read from or written to a line. */
export type ArchivedRecord = z.infer<typeof archivedRecordSchema>;

/** A line that is not an archived record: its number (1-based) and why. */
export interface ArchiveLineError {
  readonly line: number;
  readonly reason: string;
}

/** The line of `record` (JSON, newline-terminated). */
export function archiveLine(record: ArchivedRecord): string {
  return `${JSON.stringify(archivedRecordSchema.parse(record))}\n`;
}

/** The records of an object's text, in order, and the lines that are not records (never thrown). */
export function parseArchiveText(text: string): {
  readonly records: ArchivedRecord[];
  readonly errors: ArchiveLineError[];
} {
  const records: ArchivedRecord[] = [];
  const errors: ArchiveLineError[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      errors.push({ line: index + 1, reason: "not JSON" });
      return;
    }
    const parsed = archivedRecordSchema.safeParse(json);
    if (parsed.success) records.push(parsed.data);
    else
      errors.push({
        line: index + 1,
        reason: parsed.error.issues.map((i) => `${i.path.join(".") || "line"}: ${i.message}`).join("; "),
      });
  });
  return { records, errors };
}

const two = (n: number) => String(n).padStart(2, "0");

const HOUR_MS = 3_600_000;

/**
 * The prefix of the hour holding `ms` (UTC), as the delivery stream writes it:
 * `events/year=2026/month=12/day=06/hour=18/` (Hive-style, which the Glue table's partition projection reads).
 */
export function archiveHourPrefix(ms: number): string {
  const d = new Date(ms);
  return (
    `${ARCHIVE_PREFIX}year=${d.getUTCFullYear()}/month=${two(d.getUTCMonth() + 1)}/` +
    `day=${two(d.getUTCDate())}/hour=${two(d.getUTCHours())}/`
  );
}

/**
 * The hour prefixes that can hold records that arrived in `[fromMs, toMs]`: each hour of the range, and one hour
 * either side (an object is filed under the hour its buffer was delivered, which may follow its records' arrival).
 */
export function archiveHourPrefixes(fromMs: number, toMs: number): string[] {
  if (!(fromMs <= toMs)) throw new RangeError("the range's start must not be after its end");
  const first = Math.floor(fromMs / HOUR_MS) - 1;
  const last = Math.floor(toMs / HOUR_MS) + 1;
  const out: string[] = [];
  for (let hour = first; hour <= last; hour++) out.push(archiveHourPrefix(hour * HOUR_MS));
  return out;
}
