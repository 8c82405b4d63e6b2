import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { ScheduleFanOutDeps } from "#shared/app/campaign-schedule.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { campaignSendDeps } from "#shared/lambda/campaign-adapters.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import type { CampaignScheduleEnv } from "./env.js";

/** The campaign-schedule function's composition root: clients and the campaign library, once per container. */
export function makeCampaignScheduleDeps(env: CampaignScheduleEnv): ScheduleFanOutDeps {
  const dynamodb = new DynamoDBClient({});
  return {
    ...campaignSendDeps({ env, dynamodb, sqs: new SQSClient({}) }),
    profiles: new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE }),
    clock: runtimeClock,
  };
}
