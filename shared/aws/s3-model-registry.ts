import {
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { DependencyUnavailableError } from "../errors.js";
import type { TrainingObjects } from "../ports.js";

/** Options of {@link S3TrainingObjects}. */
export interface S3TrainingObjectsOptions {
  readonly client: S3Client;
  readonly bucketName: string;
  /** Keys per ListObjectsV2 page. @default 1000 (S3's most) */
  readonly listPageSize?: number;
}

/**
 * The model bucket in S3: the registry's objects (`models/<model>/<version>/model.tar.gz`, `version.json`,
 * `models/<model>/current.json`, read through `ObjectModelRegistry`) and the training workflow's feature tables
 * (`training/<run>/…`). A missing object reads as undefined; any other failure is retryable.
 */
export class S3TrainingObjects implements TrainingObjects {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #pageSize: number;

  constructor(options: S3TrainingObjectsOptions) {
    this.#client = options.client;
    this.#bucket = options.bucketName;
    this.#pageSize = options.listPageSize ?? 1000;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: key }));
      return out.Body === undefined ? new Uint8Array() : await out.Body.transformToByteArray();
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw new DependencyUnavailableError(`model bucket ${this.#bucket}: cannot read ${key}`, error);
    }
  }

  async put(key: string, body: Uint8Array, contentType: string): Promise<void> {
    try {
      await this.#client.send(
        new PutObjectCommand({ Bucket: this.#bucket, Key: key, Body: body, ContentType: contentType }),
      );
    } catch (error) {
      throw new DependencyUnavailableError(`model bucket ${this.#bucket}: cannot write ${key}`, error);
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.#bucket,
            Prefix: prefix,
            ContinuationToken: token,
            MaxKeys: this.#pageSize,
          }),
        );
        for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
        token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    } catch (error) {
      throw new DependencyUnavailableError(`model bucket ${this.#bucket}: cannot list ${prefix}`, error);
    }
    return keys.sort();
  }
}
