import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { DependencyUnavailableError } from "../errors.js";
import type { Quarantine, QuarantinedRecord } from "../ports.js";

/** The S3 key of a quarantined record: by arrival day, then shard and sequence number (retries overwrite). */
export function quarantineKey(record: QuarantinedRecord): string {
  const day = new Date(record.approximateArrivalTimestamp).toISOString().slice(0, 10).replaceAll("-", "/");
  return `quarantine/${day}/${record.shardId ?? "unknown-shard"}/${record.sequenceNumber}.json`;
}

/** The stored document: the reason, where the record came from, and its raw bytes in base64. */
export function quarantineDocument(record: QuarantinedRecord): string {
  return JSON.stringify({
    reason: record.reason,
    issues: record.issues,
    source: record.source,
    shardId: record.shardId,
    sequenceNumber: record.sequenceNumber,
    partitionKey: record.partitionKey,
    approximateArrivalTimestamp: record.approximateArrivalTimestamp,
    receivedAt: record.receivedAt,
    rawBase64: Buffer.from(record.raw).toString("base64"),
  });
}

/** Malformed records as JSON objects in an S3 bucket, one per record, keyed so a retry overwrites its own. */
export class S3Quarantine implements Quarantine {
  readonly #client: S3Client;
  readonly #bucketName: string;

  constructor(options: { client: S3Client; bucketName: string }) {
    this.#client = options.client;
    this.#bucketName = options.bucketName;
  }

  async put(record: QuarantinedRecord): Promise<void> {
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.#bucketName,
          Key: quarantineKey(record),
          Body: quarantineDocument(record),
          ContentType: "application/json",
        }),
      );
    } catch (error) {
      throw new DependencyUnavailableError(`quarantine write to ${this.#bucketName} failed`, error);
    }
  }
}
