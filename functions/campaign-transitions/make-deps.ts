import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { TransitionJourneyDeps } from "#shared/app/campaign-transitions.js";
import { DynamoSegmentChanges } from "#shared/aws/dynamo-segment-changes.js";
import { campaignSendDeps } from "#shared/lambda/campaign-adapters.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import type { CampaignTransitionsEnv } from "./env.js";

/** The campaign-transitions function's composition root: clients and the campaign library, once per container. */
export function makeCampaignTransitionsDeps(env: CampaignTransitionsEnv): TransitionJourneyDeps {
  const dynamodb = new DynamoDBClient({});
  return {
    ...campaignSendDeps({ env, dynamodb, sqs: new SQSClient({}) }),
    clock: runtimeClock,
    ...(env.SEGMENTS_TABLE === undefined
      ? {}
      : { changes: new DynamoSegmentChanges({ client: dynamodb, tableName: env.SEGMENTS_TABLE }) }),
  };
}
