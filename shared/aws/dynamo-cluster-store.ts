import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { z } from "zod";
import { clusterModelSchema } from "../domain/clusters/index.js";
import type { ClusterStore, StoredClusters } from "../ports.js";
import { DynamoJsonItem } from "./dynamo-json-item.js";

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
  readonly #item: DynamoJsonItem<StoredClusters>;

  constructor(options: { readonly client: DynamoDBClient; readonly tableName: string }) {
    this.#item = new DynamoJsonItem({
      ...options,
      key: { pk: "clusters", sk: "current" },
      schema: storedSchema,
      what: "cluster model",
    });
  }

  current(): Promise<StoredClusters | undefined> {
    return this.#item.get();
  }

  put(clusters: StoredClusters): Promise<void> {
    return this.#item.put(clusters);
  }
}
