import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { DependencyUnavailableError } from "../errors.js";
import type { QuarantinedItems, QuarantinedMetadata } from "../ports.js";
import { quarantinedIdentifiers } from "./quarantine-identifiers.js";
import {
  INDEXED_PREFIX,
  identifierHash,
  indexedMarkerKey,
  indexKey,
  indexPrefix,
  RECORDS_PREFIX,
} from "./s3-quarantine-index.js";

/** Objects read at once while looking for a customer's records. */
const PARALLEL_READS = 16;

/** Index entries deleted at once. */
const PARALLEL_DELETES = 16;

/** The stored document's fields this reader relies on (see `quarantineDocument`). */
interface StoredDocument extends Omit<QuarantinedMetadata, "key"> {
  readonly rawBase64: string;
  /** Hashes of the identifiers it was indexed under (none for a record quarantined before the index). */
  readonly index: readonly string[];
}

function readDocument(text: string): StoredDocument | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  const field = (name: string): unknown =>
    Object.hasOwn(value, name) ? Reflect.get(value, name) : undefined;
  const reason = field("reason");
  const partitionKey = field("partitionKey");
  const sequenceNumber = field("sequenceNumber");
  const shardId = field("shardId");
  const arrival = field("approximateArrivalTimestamp");
  const receivedAt = field("receivedAt");
  const rawBase64 = field("rawBase64");
  const index = field("index");
  if (typeof reason !== "string" || typeof partitionKey !== "string" || typeof sequenceNumber !== "string") {
    return undefined;
  }
  return {
    reason,
    partitionKey,
    sequenceNumber,
    shardId: typeof shardId === "string" ? shardId : null,
    approximateArrivalTimestamp: typeof arrival === "number" ? arrival : 0,
    receivedAt: typeof receivedAt === "number" ? receivedAt : 0,
    rawBase64: typeof rawBase64 === "string" ? rawBase64 : "",
    index: hashList(index),
  };
}

/** The `index` field of a stored document: the strings of an array. */
function hashList(value: unknown): string[] {
  const items: unknown[] = Array.isArray(value) ? value : [];
  return items.filter((item): item is string => typeof item === "string");
}

/** A record found for a customer: where it is, what it says, and the index entries that point at it. */
interface Found {
  readonly key: string;
  readonly document: StoredDocument;
  /** Hashes of every identifier the record is (or may be) indexed under. */
  readonly hashes: ReadonlySet<string>;
}

/** The identifiers a customer is looked up by: the id as given, and lower-cased email addresses. */
function lookupIdentifiers(customerId: string, emails: readonly string[]): string[] {
  const identifiers = new Set([customerId, ...emails.map((email) => email.trim().toLowerCase())]);
  // An id that is an email address is indexed lower-cased when it appears as one (in traits, say).
  if (customerId.includes("@")) identifiers.add(customerId.toLowerCase());
  identifiers.delete("");
  return [...identifiers];
}

/** The hashes a stored record is indexed under: those it lists, and those its bytes give today. */
function documentHashes(document: StoredDocument): Set<string> {
  const raw = Buffer.from(document.rawBase64, "base64");
  return new Set([
    ...document.index,
    ...quarantinedIdentifiers(document.partitionKey, raw).map(identifierHash),
  ]);
}

function isNoSuchKey(error: unknown): boolean {
  return error instanceof Error && (error.name === "NoSuchKey" || error.name === "NotFound");
}

/**
 * The quarantined records of a customer, in the quarantine bucket: every record holding the customer's id or
 * one of the customer's email addresses, whatever its key (the partition key, a `userId`, `anonymousId`,
 * `previousId` at any depth, an email address in traits, properties or context, inside JSON, a batch, gzip or
 * a KPL-aggregated record: see `quarantinedIdentifiers`).
 *
 * Records are found through the index the writer keeps (`index/<sha256(identifier)>/<record key>`, see
 * `s3-quarantine-index.ts`): one listing per identifier. Records without an `indexed/` marker (quarantined
 * before the index existed, or holding too many identifiers to index) are read and matched the same way; two
 * listings tell which those are, so once the records quarantined before the index have expired (90 days), no
 * record is read but the customer's own.
 */
export class S3QuarantineErasure implements QuarantinedItems {
  readonly #client: S3Client;
  readonly #bucketName: string;

  constructor(options: { client: S3Client; bucketName: string }) {
    this.#client = options.client;
    this.#bucketName = options.bucketName;
  }

  async list(customerId: string, emails: readonly string[]): Promise<QuarantinedMetadata[]> {
    const { found } = await this.#find(customerId, emails);
    return found.map(({ key, document }) => ({
      key,
      reason: document.reason,
      partitionKey: document.partitionKey,
      sequenceNumber: document.sequenceNumber,
      shardId: document.shardId,
      approximateArrivalTimestamp: document.approximateArrivalTimestamp,
      receivedAt: document.receivedAt,
    }));
  }

  /**
   * Deletes every record found, then its index entries (those of every identifier it holds, other customers'
   * too: they would point at nothing) and its marker, each with all its versions. Index entries left from a
   * record already gone (an erasure interrupted after deleting it) are deleted too.
   */
  async erase(customerId: string, emails: readonly string[]): Promise<number> {
    const { found, dangling } = await this.#find(customerId, emails);
    for (const { key, hashes } of found) {
      // The record first: interrupted here, a second erasure still finds it through the entries left.
      await this.#deleteEveryVersion(key);
      await this.#deleteAll([...hashes].map((hash) => indexKey(hash, key)));
      await this.#deleteEveryVersion(indexedMarkerKey(key));
    }
    await this.#deleteAll(dangling);
    return found.length;
  }

  /** Deletes every version of each key, {@link PARALLEL_DELETES} keys at a time (a batch's record has many). */
  async #deleteAll(keys: readonly string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += PARALLEL_DELETES) {
      await Promise.all(keys.slice(i, i + PARALLEL_DELETES).map((key) => this.#deleteEveryVersion(key)));
    }
  }

  /**
   * Deletes every version of `key` (the bucket is versioned on AWS: a plain delete would only hide the record
   * behind a delete marker), and the delete markers; a plain delete when no version is listed (an unversioned
   * bucket, or the local emulator, which keeps no versions).
   */
  async #deleteEveryVersion(key: string): Promise<void> {
    const versions: string[] = [];
    let keyMarker: string | undefined;
    let versionMarker: string | undefined;
    do {
      const out = await this.#call(`ListObjectVersions ${key}`, () =>
        this.#client.send(
          new ListObjectVersionsCommand({
            Bucket: this.#bucketName,
            Prefix: key,
            KeyMarker: keyMarker,
            VersionIdMarker: versionMarker,
          }),
        ),
      );
      for (const version of [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])]) {
        if (version.Key === key && version.VersionId !== undefined) versions.push(version.VersionId);
      }
      const more = out.IsTruncated === true;
      keyMarker = more ? out.NextKeyMarker : undefined;
      versionMarker = more ? out.NextVersionIdMarker : undefined;
    } while (keyMarker !== undefined);
    const targets: (string | undefined)[] = versions.length > 0 ? versions : [undefined];
    for (const versionId of targets) {
      await this.#call(`DeleteObject ${key}`, () =>
        this.#client.send(
          new DeleteObjectCommand({ Bucket: this.#bucketName, Key: key, VersionId: versionId }),
        ),
      );
    }
  }

  /** The customer's records, and index entries of the customer that point at no record. */
  async #find(
    customerId: string,
    emails: readonly string[],
  ): Promise<{ found: Found[]; dangling: string[] }> {
    const identifiers = lookupIdentifiers(customerId, emails);
    const wanted = new Set(identifiers.map(identifierHash));
    // Record key → the index entries of the customer pointing at it.
    const indexed = new Map<string, Set<string>>();
    for (const hash of wanted) {
      const prefix = indexPrefix(hash);
      for (const entry of await this.#keys(prefix)) {
        const recordKey = entry.slice(prefix.length);
        indexed.set(recordKey, (indexed.get(recordKey) ?? new Set()).add(hash));
      }
    }
    const [records, markers] = await Promise.all([this.#keys(RECORDS_PREFIX), this.#keys(INDEXED_PREFIX)]);
    const marked = new Set(markers.map((key) => key.slice(INDEXED_PREFIX.length)));
    const unindexed = records.filter((key) => !marked.has(key) && !indexed.has(key));

    const found: Found[] = [];
    const dangling: string[] = [];
    const candidates = [...indexed.keys(), ...unindexed];
    for (let i = 0; i < candidates.length; i += PARALLEL_READS) {
      const read = await Promise.all(
        candidates
          .slice(i, i + PARALLEL_READS)
          .map(async (key) => ({ key, document: await this.#read(key) })),
      );
      for (const { key, document } of read) {
        const viaIndex = indexed.get(key);
        if (document === undefined) {
          // The record is gone (or is not one): its index entries of this customer point at nothing.
          for (const hash of viaIndex ?? []) dangling.push(indexKey(hash, key));
          continue;
        }
        const hashes = documentHashes(document);
        for (const hash of viaIndex ?? []) hashes.add(hash);
        if (viaIndex !== undefined || [...wanted].some((hash) => hashes.has(hash))) {
          found.push({ key, document, hashes });
        }
      }
    }
    return { found, dangling };
  }

  /** The stored document at `key`, or `undefined` when there is none or it is not a quarantined record. */
  async #read(key: string): Promise<StoredDocument | undefined> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucketName, Key: key }));
      return readDocument((await out.Body?.transformToString("utf-8")) ?? "");
    } catch (error) {
      if (isNoSuchKey(error)) return undefined;
      throw new DependencyUnavailableError(`GetObject ${key} on ${this.#bucketName} failed`, error);
    }
  }

  async #keys(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.#call(`ListObjectsV2 ${prefix}`, () =>
        this.#client.send(
          new ListObjectsV2Command({ Bucket: this.#bucketName, Prefix: prefix, ContinuationToken: token }),
        ),
      );
      for (const object of out.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
      token = out.IsTruncated === true ? out.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys;
  }

  async #call<T>(what: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyUnavailableError(`${what} on ${this.#bucketName} failed`, error);
    }
  }
}
