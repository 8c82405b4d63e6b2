import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { archiveHourPrefixes, parseArchiveText } from "../domain/events/archived-record.js";
import { DependencyUnavailableError } from "../errors.js";
import { gunzipBoundedAsync, isGzip } from "../gzip.js";
import type { ArchiveObjectRead, EventArchive } from "../ports.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Largest object read, compressed and inflated alike: Firehose's largest buffer is 128 MiB before compression,
 * so an archive object never comes near; a bigger one is reported unreadable rather than read into memory.
 */
export const ARCHIVE_OBJECT_MAX_BYTES = 256 * 1024 * 1024;

/** Options of {@link S3EventArchive}. */
export interface S3EventArchiveOptions {
  readonly client: S3Client;
  readonly bucketName: string;
  /** @default {@link ARCHIVE_OBJECT_MAX_BYTES} */
  readonly maxObjectBytes?: number;
  /** Keys per ListObjectsV2 page. @default 1000 (S3's most) */
  readonly listPageSize?: number;
}

/**
 * The raw event archive in S3: the objects under the hour prefixes of a range (`archiveHourPrefixes`, paginated
 * ListObjectsV2), each read whole, inflated (gzip, bounded; a plain-text object is read as it is), parsed line by
 * line with `parseArchiveText`, its records kept when they arrived in the range. One object is in memory at a
 * time, so a day of archive streams through. An object that cannot be read (corrupt gzip, over the bound, not
 * UTF-8) is yielded with the reason, never skipped in silence.
 */
export class S3EventArchive implements EventArchive {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #maxBytes: number;
  readonly #pageSize: number;

  constructor(options: S3EventArchiveOptions) {
    this.#client = options.client;
    this.#bucket = options.bucketName;
    this.#maxBytes = options.maxObjectBytes ?? ARCHIVE_OBJECT_MAX_BYTES;
    this.#pageSize = options.listPageSize ?? 1000;
  }

  async *objects(fromMs: number, toMs: number): AsyncIterable<ArchiveObjectRead> {
    for (const prefix of archiveHourPrefixes(fromMs, toMs)) {
      for await (const { key, size } of this.#list(prefix)) {
        yield await this.#read(key, size, fromMs, toMs);
      }
    }
  }

  async *#list(prefix: string): AsyncIterable<{ key: string; size: number }> {
    let token: string | undefined;
    do {
      const page = await this.#call(`list ${prefix}`, () =>
        this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            ContinuationToken: token,
            MaxKeys: this.#pageSize,
          }),
        ),
      );
      for (const object of page.Contents ?? []) {
        if (object.Key !== undefined) yield { key: object.Key, size: object.Size ?? 0 };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async #read(key: string, size: number, fromMs: number, toMs: number): Promise<ArchiveObjectRead> {
    const unreadable = (reason: string): ArchiveObjectRead => ({
      key,
      records: [],
      outsideRange: 0,
      badLines: [],
      unreadable: reason,
    });
    if (size > this.#maxBytes) return unreadable(`${size} bytes; the bound is ${this.#maxBytes}`);
    const object = await this.#call(`read ${key}`, async () => {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return out.Body === undefined ? new Uint8Array() : out.Body.transformToByteArray();
    });
    const text = await this.#text(object);
    if (!text.ok) return unreadable(text.reason);
    const { records, errors } = parseArchiveText(text.value);
    const inRange = records.filter((record) => {
      const arrived = Date.parse(record.arrivedAt);
      return arrived >= fromMs && arrived <= toMs;
    });
    return { key, records: inRange, outsideRange: records.length - inRange.length, badLines: errors };
  }

  async #text(bytes: Uint8Array): Promise<{ ok: true; value: string } | { ok: false; reason: string }> {
    let plain = bytes;
    if (isGzip(bytes)) {
      const inflated = await gunzipBoundedAsync(bytes, this.#maxBytes);
      if (!inflated.ok) {
        return {
          ok: false,
          reason:
            inflated.reason === "too_large"
              ? `inflates beyond ${this.#maxBytes} bytes`
              : `corrupt gzip: ${inflated.detail}`,
        };
      }
      plain = inflated.data;
    }
    try {
      return { ok: true, value: utf8.decode(plain) };
    } catch {
      return { ok: false, reason: "not UTF-8 text" };
    }
  }

  async #call<T>(what: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyUnavailableError(`archive bucket ${this.#bucket}: cannot ${what}`, error);
    }
  }
}
