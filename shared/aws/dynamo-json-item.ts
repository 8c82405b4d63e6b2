import { type DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import type { z } from "zod";
import { DependencyUnavailableError } from "../errors.js";

/** Options of {@link DynamoJsonItem}. */
export interface DynamoJsonItemOptions<T> {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The item's key in a `pk`/`sk` table. */
  readonly key: { readonly pk: string; readonly sk: string };
  /** Checks what is read back. */
  readonly schema: z.ZodType<T>;
  /** What the item holds, for errors (e.g. "cluster model"). */
  readonly what: string;
}

/**
 * One small document kept as JSON in one item of a `pk`/`sk` table (the segments table's bookkeeping: the last
 * rescoring run's distributions, the current cluster model). Read consistently, checked with its schema: an
 * unreadable item is an error, never taken for an absent one.
 */
export class DynamoJsonItem<T> {
  readonly #options: DynamoJsonItemOptions<T>;

  constructor(options: DynamoJsonItemOptions<T>) {
    this.#options = options;
  }

  /** The stored document, or undefined when there is none. */
  async get(): Promise<T | undefined> {
    const { client, tableName, schema, what } = this.#options;
    const out = await this.#call("GetItem", () =>
      client.send(new GetItemCommand({ TableName: tableName, Key: this.#key(), ConsistentRead: true })),
    );
    const json = out.Item?.json?.S;
    if (json === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new DependencyUnavailableError(`${tableName} holds an unreadable ${what}`, error);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success)
      throw new DependencyUnavailableError(`${tableName} holds an unreadable ${what}`, parsed.error);
    return parsed.data;
  }

  /** Replaces the stored document. */
  async put(value: T): Promise<void> {
    const { client, tableName } = this.#options;
    await this.#call("PutItem", () =>
      client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { ...this.#key(), json: { S: JSON.stringify(value) } },
        }),
      ),
    );
  }

  #key() {
    return { pk: { S: this.#options.key.pk }, sk: { S: this.#options.key.sk } };
  }

  async #call<R>(operation: string, send: () => Promise<R>): Promise<R> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyUnavailableError(`${operation} on ${this.#options.tableName} failed`, error);
    }
  }
}
