import {
  type AttributeValue,
  type DynamoDBClient,
  PutItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall, unmarshall } from "@aws-sdk/util-dynamodb";
import type { ContentItem } from "../domain/catalog/index.js";
import { DependencyUnavailableError } from "../errors.js";
import type { ContentStore } from "../ports.js";

/** Every item's sort key: the table holds content items only, one per id. */
const ITEM_SORT = "content";
const keyOf = (id: string): Record<string, AttributeValue> => ({ pk: { S: id }, sk: { S: ITEM_SORT } });

/** Writes in flight at once (the library is small; this keeps an import well under a table's write burst). */
const WRITE_CONCURRENCY = 8;
const KINDS = new Set<string>(["article", "tip", "guide"]);
const isKind = (value: unknown): value is ContentItem["kind"] =>
  typeof value === "string" && KINDS.has(value);
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** An item back into a content item; `undefined` for one that is not (reading never throws on data). */
function toItem(raw: Record<string, AttributeValue>): ContentItem | undefined {
  const item = unmarshall(raw);
  const { id, kind, title, summary, url, tags, imageUrl, locale, publishedAt } = item;
  if (typeof id !== "string" || !isKind(kind) || typeof title !== "string" || typeof summary !== "string") {
    return undefined;
  }
  if (typeof url !== "string" || !Array.isArray(tags)) return undefined;
  const image = text(imageUrl);
  const language = text(locale);
  return {
    id,
    kind,
    title,
    summary,
    url,
    tags: tags.filter((tag): tag is string => typeof tag === "string"),
    ...(image === undefined ? {} : { imageUrl: image }),
    ...(language === undefined ? {} : { locale: language }),
    ...(typeof publishedAt === "number" ? { publishedAt } : {}),
  };
}

/**
 * The content library in its own DynamoDB table (partition `pk` = the item's id, sort `sk` = `content`). An item holds the
 * {@link ContentItem}'s fields, `importedAt` and, once it left the imported file, `retiredAt`: `all` is one
 * paged Scan that leaves retired items out (the library is hundreds to a few thousand items; dispatch reads it
 * through a cache). Writing an item again clears `retiredAt`.
 */
export class DynamoContentLibrary implements ContentStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { readonly client: DynamoDBClient; readonly tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async all(): Promise<readonly ContentItem[]> {
    const items: ContentItem[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const out = await this.#call("Scan", () =>
        this.#client.send(
          new ScanCommand({
            TableName: this.#tableName,
            FilterExpression: "attribute_not_exists(retiredAt)",
            ExclusiveStartKey: start,
          }),
        ),
      );
      for (const raw of out.Items ?? []) {
        const item = toItem(raw);
        if (item !== undefined) items.push(item);
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  async put(items: readonly ContentItem[], at: number): Promise<void> {
    await this.#each(items, (item) =>
      this.#call("PutItem", () =>
        this.#client.send(
          new PutItemCommand({
            TableName: this.#tableName,
            Item: {
              ...marshall({ ...item, tags: [...item.tags], importedAt: at }, { removeUndefinedValues: true }),
              ...keyOf(item.id),
            },
          }),
        ),
      ),
    );
  }

  async retire(ids: readonly string[], at: number): Promise<void> {
    await this.#each(ids, (id) =>
      this.#call("UpdateItem (retire)", () =>
        this.#client.send(
          new UpdateItemCommand({
            TableName: this.#tableName,
            Key: keyOf(id),
            // Only an item that exists is retired: a retire never creates a stub item.
            ConditionExpression: "attribute_exists(pk)",
            UpdateExpression: "SET retiredAt = :at",
            ExpressionAttributeValues: { ":at": { N: String(at) } },
          }),
        ),
      ).catch((error: unknown) => {
        if (error instanceof DependencyUnavailableError && isConditionFailure(error.cause)) return;
        throw error;
      }),
    );
  }

  async #each<T>(values: readonly T[], write: (value: T) => Promise<unknown>): Promise<void> {
    for (let i = 0; i < values.length; i += WRITE_CONCURRENCY) {
      await Promise.all(values.slice(i, i + WRITE_CONCURRENCY).map(write));
    }
  }

  async #call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyUnavailableError(`${operation} on ${this.#tableName} failed`, error);
    }
  }
}

const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === "ConditionalCheckFailedException";
