import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll } from "vitest";
import { createTable, startDynalite } from "./dynamo-table.js";

/**
 * For one test file: dynalite with a `segments` table (`pk`, `sk`) started before its tests and stopped after
 * them. Call the returned function in a test for the client.
 */
export function useSegmentsTable(): () => DynamoDBClient {
  let client: DynamoDBClient | undefined;
  let stop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    ({ client, stop } = await startDynalite());
    await createTable(client, "segments", "pk", "sk");
  });
  afterAll(async () => {
    await stop?.();
  });
  return () => {
    if (client === undefined) throw new Error("the segments table is not started: call from inside a test");
    return client;
  };
}
