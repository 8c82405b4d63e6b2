import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { DependencyUnavailableError } from "../errors.js";
import type { Quarantine, QuarantinedRecord } from "../ports.js";
import { quarantinedIdentifiers } from "./quarantine-identifiers.js";
import {
  identifierHash,
  indexedMarkerKey,
  indexKey,
  MAX_INDEXED_IDENTIFIERS,
  RECORDS_PREFIX,
} from "./s3-quarantine-index.js";

/** Index entries written at once. */
const PARALLEL_WRITES = 16;

/**
 * The S3 key of a quarantined record: by arrival day, then shard and sequence number, then (for one event of an
 * aggregated or array record) `-<sub-sequence number>` and `.<element index>`, so each quarantined event has its
 * own key and a retry overwrites its own.
 */
export function quarantineKey(record: QuarantinedRecord): string {
  const day = new Date(record.approximateArrivalTimestamp).toISOString().slice(0, 10).replaceAll("-", "/");
  const sub = record.subSequenceNumber === undefined ? "" : `-${record.subSequenceNumber}`;
  const element = record.elementIndex === undefined ? "" : `.${record.elementIndex}`;
  return `${RECORDS_PREFIX}${day}/${record.shardId ?? "unknown-shard"}/${record.sequenceNumber}${sub}${element}.json`;
}

/**
 * The stored document: the reason, where the record came from, its raw bytes in base64, and the hashes of the
 * identifiers it is indexed under (so erasure removes the record's index entries without re-reading its bytes).
 */
export function quarantineDocument(record: QuarantinedRecord, index: readonly string[] = []): string {
  return JSON.stringify({
    reason: record.reason,
    issues: record.issues,
    source: record.source,
    shardId: record.shardId,
    sequenceNumber: record.sequenceNumber,
    ...(record.subSequenceNumber === undefined ? {} : { subSequenceNumber: record.subSequenceNumber }),
    ...(record.elementIndex === undefined ? {} : { elementIndex: record.elementIndex }),
    partitionKey: record.partitionKey,
    approximateArrivalTimestamp: record.approximateArrivalTimestamp,
    receivedAt: record.receivedAt,
    rawBase64: Buffer.from(record.raw).toString("base64"),
    index,
  });
}

/** The hashes of the identifiers a record is indexed under (see `quarantinedIdentifiers`), without repeats. */
export function quarantineIndex(record: QuarantinedRecord): string[] {
  return [...new Set(quarantinedIdentifiers(record.partitionKey, record.raw).map(identifierHash))];
}

/**
 * Malformed records as JSON objects in an S3 bucket, one per record, keyed so a retry overwrites its own, and
 * indexed by every customer identifier they hold (the layout: `s3-quarantine-index.ts`).
 */
export class S3Quarantine implements Quarantine {
  readonly #client: S3Client;
  readonly #bucketName: string;

  constructor(options: { client: S3Client; bucketName: string }) {
    this.#client = options.client;
    this.#bucketName = options.bucketName;
  }

  /**
   * Writes the record's index entries, then (when all were written) its `indexed/` marker, then the record: a
   * failure at any step throws a retryable error, the stream redelivers, and the retry overwrites what was
   * written, so no record is stored without its index.
   */
  async put(record: QuarantinedRecord): Promise<void> {
    const key = quarantineKey(record);
    const hashes = quarantineIndex(record);
    const index = hashes.slice(0, MAX_INDEXED_IDENTIFIERS);
    try {
      for (let i = 0; i < index.length; i += PARALLEL_WRITES) {
        await Promise.all(
          index.slice(i, i + PARALLEL_WRITES).map((hash) => this.#putEmpty(indexKey(hash, key))),
        );
      }
      // More identifiers than indexed: no marker, so erasure reads this record rather than trust its index.
      if (index.length === hashes.length) await this.#putEmpty(indexedMarkerKey(key));
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucketName,
          Key: key,
          Body: quarantineDocument(record, index),
          ContentType: "application/json",
        }),
      );
    } catch (error) {
      throw new DependencyUnavailableError(`quarantine write to ${this.#bucketName} failed`, error);
    }
  }

  async #putEmpty(key: string): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({ Bucket: this.#bucketName, Key: key, Body: "", ContentLength: 0 }),
    );
  }
}
