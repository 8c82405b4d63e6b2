import {
  type AttributeValue,
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
