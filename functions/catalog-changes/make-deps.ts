import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { CatalogJourneyDeps } from "#shared/app/catalog-changes.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoWatchIndex } from "#shared/aws/dynamo-watch-index.js";
import { campaignSendDeps } from "#shared/lambda/campaign-adapters.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import type { CatalogChangesEnv } from "./env.js";

/** The catalog-changes function's composition root: clients and the campaign library, once per container. */
export function makeCatalogChangesDeps(env: CatalogChangesEnv): CatalogJourneyDeps {
  const dynamodb = new DynamoDBClient({});
  return {
    ...campaignSendDeps({ env, dynamodb, sqs: new SQSClient({}) }),
    watches: new DynamoWatchIndex({ client: dynamodb, tableName: env.WATCHES_TABLE }),
    profiles: new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE }),
    clock: runtimeClock,
  };
}
