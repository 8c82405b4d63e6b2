import { createHash } from "node:crypto";

/**
 * The layout of the quarantine bucket, where records are found by the customers they name:
 *
 * - `quarantine/<yyyy>/<mm>/<dd>/<shard>/<sequence>.json`: the record (reason, metadata, raw bytes);
 * - `index/<sha256(identifier)>/<record key>`: one empty object per identifier the record holds (its partition
 *   key, every customer id and email address in it: see `quarantinedIdentifiers`), so a customer's records are
 *   one `ListObjectsV2` away whatever their key. Keys hold hashes only, never an identifier;
 * - `indexed/<record key>`: an empty object saying every index entry of the record was written. A record
 *   without one (quarantined before the index existed, or holding more than {@link MAX_INDEXED_IDENTIFIERS}
 *   identifiers) is found by reading it instead.
 *
 * Index entries and the marker are written before the record: a failure fails the put, the ingest throws and
 * the stream redelivers the batch, so a record never exists without its index (an index entry may exist
 * without its record; erasure deletes it). They expire with the record (the bucket's lifecycle rule has no
 * prefix filter); written around midnight, a record may outlive its entries by a day, and then it has no
 * marker either, so it is read.
 *
 * Limits:
 * - Erasure looks up the customer id and the email the profile holds when erased. An address the profile no
 *   longer holds, or any address of a customer without a profile (say, erased twice), is not looked up: a
 *   record naming the customer only by such an address is not found.
 * - What is indexed is what `quarantinedIdentifiers` finds (see its limits: ids in binary data outside the
 *   known fields, non-ASCII addresses). Ids compare exactly, email addresses lower-cased.
 * - The hash is a plain SHA-256: a pseudonym that anyone able to list the bucket can test a known address
 *   against; the record next to it holds the address in clear anyway, and erasure removes both.
 * - Every lookup also lists `quarantine/` and `indexed/` (one request per 1,000 objects) to find unindexed
 *   records; it reads only those, and none once records older than the index have expired.
 */
export const RECORDS_PREFIX = "quarantine/";
export const INDEX_PREFIX = "index/";
export const INDEXED_PREFIX = "indexed/";

/** Index entries written per record at most; a record holding more is left to the scan (no `indexed/` marker). */
export const MAX_INDEXED_IDENTIFIERS = 1000;

/** SHA-256 (hex) of an identifier: its name in index keys. */
export function identifierHash(identifier: string): string {
  return createHash("sha256").update(identifier, "utf8").digest("hex");
}

/** Where the index entries of one identifier are listed from. */
export function indexPrefix(hash: string): string {
  return `${INDEX_PREFIX}${hash}/`;
}

/** The index entry saying the record at `recordKey` holds the identifier hashed as `hash`. */
export function indexKey(hash: string, recordKey: string): string {
  return `${indexPrefix(hash)}${recordKey}`;
}

/** The marker saying every index entry of the record at `recordKey` exists. */
export function indexedMarkerKey(recordKey: string): string {
  return `${INDEXED_PREFIX}${recordKey}`;
}
