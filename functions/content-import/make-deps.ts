import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import type { ContentObjectDeps } from "#shared/app/content/import-content-object.js";
import { DynamoContentLibrary } from "#shared/aws/dynamo-content-library.js";
import { S3FeedObjects } from "#shared/aws/s3-feed-objects.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import type { ContentImportEnv } from "./env.js";

/** The content-import function's composition root: SDK clients once per container. */
export function makeContentImportDeps(env: ContentImportEnv): ContentObjectDeps {
  return {
    store: new DynamoContentLibrary({ client: new DynamoDBClient({}), tableName: env.CONTENT_TABLE }),
    objects: new S3FeedObjects({ client: new S3Client({}), bucket: env.FEED_BUCKET }),
    clock: runtimeClock,
  };
}
