import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { CustomerItems, QuarantinedMetadata } from "../app/privacy/privacy-ports.js";
import { DependencyUnavailableError } from "../errors.js";

/** Objects read at once while looking for a customer's records. */
const PARALLEL_READS = 16;

const utf8 = new TextDecoder();

/** The stored document's fields this reader relies on (see `quarantineDocument`). */
interface StoredDocument {
  readonly reason: string;
  readonly partitionKey: string;
  readonly sequenceNumber: string;
  readonly shardId: string | null;
  readonly approximateArrivalTimestamp: number;
  readonly receivedAt: number;
  readonly rawBase64: string;
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
  };
}

/** Whether the raw record names the customer as its `userId` or `anonymousId` (when it is JSON at all). */
function rawNames(rawBase64: string, customerId: string): boolean {
  try {
    const value: unknown = JSON.parse(utf8.decode(Buffer.from(rawBase64, "base64")));
    if (typeof value !== "object" || value === null) return false;
    return (
      (Object.hasOwn(value, "userId") && Reflect.get(value, "userId") === customerId) ||
      (Object.hasOwn(value, "anonymousId") && Reflect.get(value, "anonymousId") === customerId)
    );
  } catch {
    return false;
  }
}

/**
 * The quarantined records of a customer, in the quarantine bucket: those whose partition key is the customer,
 * or whose raw event (when it parses as JSON) names the customer as `userId` or `anonymousId`. Keys are by
 * arrival day and sequence number, not by customer, so finding them lists the bucket and reads every document:
 * fine for a quarantine, which holds only malformed records.
 */
export class S3QuarantineErasure implements CustomerItems<QuarantinedMetadata> {
  readonly #client: S3Client;
  readonly #bucketName: string;

  constructor(options: { client: S3Client; bucketName: string }) {
    this.#client = options.client;
    this.#bucketName = options.bucketName;
  }

  async list(customerId: string): Promise<QuarantinedMetadata[]> {
    return (await this.#find(customerId)).map(({ key, document }) => ({
      key,
      reason: document.reason,
      partitionKey: document.partitionKey,
      sequenceNumber: document.sequenceNumber,
      shardId: document.shardId,
      approximateArrivalTimestamp: document.approximateArrivalTimestamp,
      receivedAt: document.receivedAt,
    }));
  }

  async erase(customerId: string): Promise<number> {
    const found = await this.#find(customerId);
    for (const { key } of found) await this.#deleteEveryVersion(key);
    return found.length;
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

  async #find(customerId: string): Promise<{ key: string; document: StoredDocument }[]> {
    const keys = await this.#keys();
    const found: { key: string; document: StoredDocument }[] = [];
    for (let i = 0; i < keys.length; i += PARALLEL_READS) {
      const read = await Promise.all(
        keys.slice(i, i + PARALLEL_READS).map(async (key) => {
          const out = await this.#call(`GetObject ${key}`, () =>
            this.#client.send(new GetObjectCommand({ Bucket: this.#bucketName, Key: key })),
          );
          const text = (await out.Body?.transformToString("utf-8")) ?? "";
          return { key, document: readDocument(text) };
        }),
      );
      for (const { key, document } of read) {
        if (document === undefined) continue;
        if (document.partitionKey === customerId || rawNames(document.rawBase64, customerId)) {
          found.push({ key, document });
        }
      }
    }
    return found;
  }

  async #keys(): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const out = await this.#call("ListObjectsV2", () =>
        this.#client.send(new ListObjectsV2Command({ Bucket: this.#bucketName, ContinuationToken: token })),
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
