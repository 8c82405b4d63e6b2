import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { CatalogImportDeps } from "#shared/app/catalog/import-catalog.js";
import type { FeedObjects } from "#shared/app/catalog/import-feed-object.js";
import { DynamoCatalog } from "#shared/aws/dynamo-catalog.js";
import { S3FeedObjects } from "#shared/aws/s3-feed-objects.js";
import { SqsCatalogChangePublisher } from "#shared/aws/sqs-catalog-change-publisher.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import type { CatalogImportEnv } from "./env.js";

/** The catalog-import function's composition root: SDK clients once per container. */
export function makeCatalogImportDeps(
  env: CatalogImportEnv,
): CatalogImportDeps & { readonly objects: FeedObjects; readonly maxRetireShare: number } {
  return {
    store: new DynamoCatalog({ client: new DynamoDBClient({}), tableName: env.CATALOG_TABLE }),
    changes: new SqsCatalogChangePublisher({
      client: new SQSClient({}),
      queueUrl: env.CATALOG_CHANGES_QUEUE_URL,
    }),
    objects: new S3FeedObjects({ client: new S3Client({}), bucket: env.FEED_BUCKET }),
    clock: runtimeClock,
    maxRetireShare: env.MAX_RETIRE_SHARE,
  };
}
