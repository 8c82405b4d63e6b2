import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { TransitionJourneyDeps } from "#shared/app/campaign-transitions.js";
import { campaignSendDeps } from "#shared/lambda/campaign-adapters.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import type { CampaignTransitionsEnv } from "./env.js";

/** The campaign-transitions function's composition root: clients and the campaign library, once per container. */
export function makeCampaignTransitionsDeps(env: CampaignTransitionsEnv): TransitionJourneyDeps {
  return {
    ...campaignSendDeps({ env, dynamodb: new DynamoDBClient({}), sqs: new SQSClient({}) }),
    clock: runtimeClock,
  };
}
