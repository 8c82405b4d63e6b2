import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { WriteKeyRecord } from "../domain/write-keys/write-key.js";
import { DependencyUnavailableError, TailorError } from "../errors.js";
import type { WriteKeyRegistry } from "../ports.js";

/** The sort key of every key item: the table holds nothing else. */
const KEY_SORT = "key";
/** The partition of a key: `h#<sha256 of the key>`, so the API checks a key with one GetItem. */
const keyPartition = (hash: string) => `h#${hash}`;

/** A key the registry already holds (same hash or same id): a new one must be generated. */
export class WriteKeyExistsError extends TailorError {
  constructor(id: string, cause?: unknown) {
    super(`write key ${id}: a key with that id or hash already exists`, { retryable: false, cause });
  }
}

/** An item back into a record; `undefined` for an item that is not one (reading must not throw). */
function toRecord(item: Record<string, AttributeValue>): WriteKeyRecord | undefined {
  const { id, hash, source, createdAt, revokedAt } = unmarshall(item);
  if (typeof id !== "string" || typeof hash !== "string" || typeof source !== "string") return undefined;
  if (typeof createdAt !== "number") return undefined;
  return { id, hash, source, createdAt, ...(typeof revokedAt === "number" ? { revokedAt } : {}) };
}

function unavailable(what: string, error: unknown): never {
  if (error instanceof TailorError) throw error;
  throw new DependencyUnavailableError(`write keys: ${what} failed`, error);
}

/**
 * The write keys in one small DynamoDB table (partition `pk`, sort `sk`, strings; no index): one item per key,
 * `pk = h#<sha256 of the key>`, `sk = key`, holding the id, the source, the creation time and any revocation
 * time. The key itself is never stored. The API only reads (`GetItem` by hash); listing, revoking and rotating
 * (the `tailor keys` command) scan the table, which holds a handful of items.
 */
export class DynamoWriteKeyRegistry implements WriteKeyRegistry {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { readonly client: DynamoDBClient; readonly tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async findByHash(hash: string): Promise<WriteKeyRecord | undefined> {
    try {
      const out = await this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key: { pk: { S: keyPartition(hash) }, sk: { S: KEY_SORT } },
        }),
      );
      return out.Item === undefined ? undefined : toRecord(out.Item);
    } catch (error) {
      return unavailable("GetItem", error);
    }
  }

  async add(record: WriteKeyRecord): Promise<void> {
    if ((await this.list()).some((known) => known.id === record.id)) throw new WriteKeyExistsError(record.id);
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: marshall({ pk: keyPartition(record.hash), sk: KEY_SORT, ...record }),
          ConditionExpression: "attribute_not_exists(pk)",
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new WriteKeyExistsError(record.id, error);
      unavailable("PutItem", error);
    }
  }

  async list(): Promise<WriteKeyRecord[]> {
    const records: WriteKeyRecord[] = [];
    let start: Record<string, AttributeValue> | undefined;
    try {
      do {
        const out = await this.#client.send(
          new ScanCommand({ TableName: this.#tableName, ExclusiveStartKey: start }),
        );
        for (const item of out.Items ?? []) {
          const record = toRecord(item);
          if (record !== undefined) records.push(record);
        }
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
    } catch (error) {
      unavailable("Scan", error);
    }
    return records.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  async revoke(id: string, at: number): Promise<WriteKeyRecord | undefined> {
    const record = (await this.list()).find((known) => known.id === id);
    if (record === undefined) return undefined;
    try {
      const out = await this.#client.send(
        new UpdateItemCommand({
          TableName: this.#tableName,
          Key: { pk: { S: keyPartition(record.hash) }, sk: { S: KEY_SORT } },
          // An earlier revocation stands: revoking again never extends a key's life.
          UpdateExpression: "SET revokedAt = :at",
          ConditionExpression:
            "attribute_exists(pk) AND (attribute_not_exists(revokedAt) OR revokedAt > :at)",
          ExpressionAttributeValues: { ":at": { N: String(at) } },
          ReturnValues: "ALL_NEW",
        }),
      );
      return out.Attributes === undefined ? record : toRecord(out.Attributes);
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return record;
      return unavailable("UpdateItem", error);
    }
  }
}
