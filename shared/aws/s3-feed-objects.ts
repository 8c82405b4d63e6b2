import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { GetObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { DependencyUnavailableError } from "../errors.js";

/**
 * The feed bucket: a feed object read as a stream (GetObject's body, gunzipped on the way when `gzip`), never
 * held whole; and the small JSON checkpoints an import leaves to be resumed from.
 */
export class S3FeedObjects {
  readonly #client: S3Client;
  readonly #bucket: string;

  constructor(options: { readonly client: S3Client; readonly bucket: string }) {
    this.#client = options.client;
    this.#bucket = options.bucket;
  }

  /** The object's bytes as they stream in. */
  async open(key: string, options: { readonly gzip: boolean }): Promise<AsyncIterable<Uint8Array>> {
    const out = await this.#client
      .send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }))
      .catch((error: unknown) => {
        throw new DependencyUnavailableError(`GetObject s3://${this.#bucket}/${key} failed`, error);
      });
    const body = out.Body;
    if (!(body instanceof Readable))
      throw new DependencyUnavailableError(`s3://${this.#bucket}/${key} has no body`);
    return options.gzip ? body.pipe(createGunzip()) : body;
  }

  /** Reads a small text object (a checkpoint). */
  async readText(key: string): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.open(key, { gzip: false })) chunks.push(Buffer.from(chunk));
    return Buffer.concat(chunks).toString("utf8");
  }

  /** Writes a small JSON object (a checkpoint). */
  async writeJson(key: string, value: unknown): Promise<void> {
    await this.#client
      .send(
        new PutObjectCommand({
          Bucket: this.#bucket,
          Key: key,
          Body: JSON.stringify(value),
          ContentType: "application/json",
        }),
      )
      .catch((error: unknown) => {
        throw new DependencyUnavailableError(`PutObject s3://${this.#bucket}/${key} failed`, error);
      });
  }
}
