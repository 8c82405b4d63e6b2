import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { FanOutPartDeps, PlanFanOutDeps } from "#shared/app/fanout/index.js";
import { DynamoFanOutRuns } from "#shared/aws/dynamo-fanout-runs.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSegmentStore } from "#shared/aws/dynamo-segment-store.js";
import { campaignSendDeps } from "#shared/lambda/campaign-adapters.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import type { CampaignFanOutEnv } from "./env.js";

/**
 * The fan-out functions' composition root, once per container. No membership index is wired yet: every run
 * reads its audience by a scan of the profile table (the index, `SegmentMemberIndex`, joins from the segment
 * jobs' work; pass it as `memberIndex` and runs read it instead).
 */
export function makeCampaignFanOutDeps(env: CampaignFanOutEnv): PlanFanOutDeps & FanOutPartDeps {
  const dynamodb = new DynamoDBClient({});
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE });
  return {
    ...campaignSendDeps({ env, dynamodb, sqs: new SQSClient({}) }),
    profiles,
    segments: new DynamoSegmentStore({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
    runs: new DynamoFanOutRuns({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
    clock: runtimeClock,
  };
}
