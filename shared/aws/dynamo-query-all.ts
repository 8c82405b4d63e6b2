import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from "@aws-sdk/client-dynamodb";
import { DependencyUnavailableError } from "../errors.js";

/**
 * Every item of one Query, page after page (`ExclusiveStartKey` set here); a failure is a
 * {@link DependencyUnavailableError} naming the table. For reads bounded by their key condition (a day range),
 * or by `maxItems`: paging stops once that many items are read.
 */
export async function queryAll(
  client: DynamoDBClient,
  input: Omit<QueryCommandInput, "ExclusiveStartKey"> & { TableName: string },
  maxItems = Number.POSITIVE_INFINITY,
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    let out: QueryCommandOutput;
    try {
      out = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    } catch (error) {
      throw new DependencyUnavailableError(`Query on ${input.TableName} failed`, error);
    }
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start !== undefined && items.length < maxItems);
  return items;
}

/** BatchGetItem's limit of keys per call. */
const BATCH_GET_KEYS = 100;
/** Rounds of unprocessed keys asked again before giving up. */
const UNPROCESSED_ROUNDS = 8;

/**
 * The items of `keys` that exist, read by BatchGetItem 100 keys a call, unprocessed keys asked again with backoff
 * (at most {@link UNPROCESSED_ROUNDS} rounds); a failure, or keys still unread, is a {@link DependencyUnavailableError}
 * naming the table.
 */
export async function batchGetAll(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly Record<string, AttributeValue>[],
  options: {
    readonly consistentRead?: boolean;
    readonly projection?: { readonly expression: string; readonly names: Record<string, string> };
  } = {},
): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  for (let first = 0; first < keys.length; first += BATCH_GET_KEYS) {
    let pending = keys.slice(first, first + BATCH_GET_KEYS);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > UNPROCESSED_ROUNDS) {
        throw new DependencyUnavailableError(
          `BatchGetItem on ${tableName} left ${pending.length} keys unprocessed after retries`,
        );
      }
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
      let out: BatchGetItemCommandOutput;
      try {
        out = await client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [tableName]: {
                Keys: pending,
                ...(options.consistentRead === true ? { ConsistentRead: true } : {}),
                ...(options.projection === undefined
                  ? {}
                  : {
                      ProjectionExpression: options.projection.expression,
                      ExpressionAttributeNames: options.projection.names,
                    }),
              },
            },
          }),
        );
      } catch (error) {
        throw new DependencyUnavailableError(`BatchGetItem on ${tableName} failed`, error);
      }
      items.push(...(out.Responses?.[tableName] ?? []));
      pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  }
  return items;
}
