import { type DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import type { ClusterStore, StoredClusters } from "../app/rescoring/fit-run-clusters.js";
import { clusterModelSchema } from "../domain/clusters/index.js";
import { DependencyUnavailableError } from "../errors.js";

const KEY = { pk: { S: "clusters" }, sk: { S: "current" } };
const storedSchema = z.object({
  model: clusterModelSchema,
  fittedAt: z.number(),
  population: z.number().int().nonnegative(),
  sampled: z.number().int().nonnegative(),
});

/**
 * The current customer cluster model in the segments table, at `pk = clusters`, `sk = current`, as JSON (a
 * model is a few kilobytes: k centroids of six features, their labels). Read consistently: the slices of a run
 * must all see the model its `Clusters` state just wrote.
 */
export class DynamoClusterStore implements ClusterStore {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;

  constructor(options: { readonly client: DynamoDBClient; readonly tableName: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
  }

  async current(): Promise<StoredClusters | undefined> {
    const out = await this.#call("GetItem", () =>
      this.#client.send(new GetItemCommand({ TableName: this.#tableName, Key: KEY, ConsistentRead: true })),
    );
    const json = out.Item?.json?.S;
    if (json === undefined) return undefined;
    const parsed = storedSchema.safeParse(JSON.parse(json));
    if (!parsed.success)
      throw new DependencyUnavailableError(
        `${this.#tableName} holds an unreadable cluster model`,
        parsed.error,
      );
    return parsed.data;
  }

  async put(clusters: StoredClusters): Promise<void> {
    await this.#call("PutItem", () =>
      this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: { ...KEY, json: { S: JSON.stringify(clusters) } },
        }),
      ),
    );
  }

  async #call<T>(operation: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyUnavailableError(`${operation} on ${this.#tableName} failed`, error);
    }
  }
}
