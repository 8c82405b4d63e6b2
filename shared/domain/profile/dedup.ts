import { createHash } from "node:crypto";
import { HOUR_MS } from "./windows.js";

/** A `messageId` is never applied twice within this long (processing time) of its first application. */
export const DEDUP_WINDOW_MS = 24 * HOUR_MS;
/** Hour buckets are kept one hour beyond the window, so an id is remembered at least 24 hours. */
const RETENTION_HOURS = 25;
const HASH_BYTES = 6;
/**
 * Most ids remembered (32 KB): only a customer sending more than this many events in 25 hours (a bot, a load
 * test) outruns it, and then its oldest ids are forgotten first. It keeps such an item far below DynamoDB's
 * 400 KB item limit.
 */
export const DEDUP_MAX_IDS = 4096;

/** The remembered form of an id: 48 bits of its SHA-256 as 8 base64url characters. */
export function shortHash(id: string): string {
  return createHash("sha256").update(id).digest().subarray(0, HASH_BYTES).toString("base64url");
}

/** Bytes the profile spends per remembered `messageId` (its hash is stored as text, without separators). */
export function dedupBytesPerId(): number {
  return Math.ceil((HASH_BYTES * 4) / 3);
}

/**
 * Estimated bytes of dedup memory for `ids` remembered ids: 8 bytes each plus about 10 bytes per hour
 * bucket (its key and DynamoDB's per-attribute overhead), at most 26 buckets.
 */
export function estimateDedupBytes(ids: number): number {
  const buckets = Math.min(ids, RETENTION_HOURS + 1);
  return ids * dedupBytesPerId() + buckets * 10;
}

/** The dedup memory without the hour buckets that fell out of the retention, as of `now`. */
export function pruneDedup(memory: Readonly<Record<string, string>>, now: number): Record<string, string> {
  const oldest = Math.floor(now / HOUR_MS) - RETENTION_HOURS;
  return Object.fromEntries(Object.entries(memory).filter(([hour]) => Number(hour) >= oldest));
}

/** Every hash in the dedup memory. */
export function rememberedHashes(memory: Readonly<Record<string, string>>): Set<string> {
  const hashes = new Set<string>();
  const width = dedupBytesPerId();
  for (const packed of Object.values(memory)) {
    for (let i = 0; i + width <= packed.length; i += width) hashes.add(packed.slice(i, i + width));
  }
  return hashes;
}

/** Remembers a hash in the bucket of the processing hour of `now`. */
export function rememberHash(memory: Record<string, string>, hash: string, now: number): void {
  const hour = String(Math.floor(now / HOUR_MS));
  memory[hour] = (memory[hour] ?? "") + hash;
}

/** Forgets the oldest ids beyond {@link DEDUP_MAX_IDS}, oldest hour first, oldest id first within an hour. */
export function capDedup(memory: Record<string, string>): void {
  const width = dedupBytesPerId();
  let budget = DEDUP_MAX_IDS * width;
  const newestFirst = Object.keys(memory).sort((a, b) => Number(b) - Number(a));
  for (const hour of newestFirst) {
    const packed = memory[hour] ?? "";
    if (budget <= 0) Reflect.deleteProperty(memory, hour);
    else if (packed.length > budget) memory[hour] = packed.slice(packed.length - budget);
    budget -= packed.length;
  }
}
