import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { FanOutPartDeps, PlanFanOutDeps } from "#shared/app/fanout/index.js";
import { DynamoFanOutRuns } from "#shared/aws/dynamo-fanout-runs.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSegmentMembers } from "#shared/aws/dynamo-segment-members.js";
import { DynamoSegmentStore } from "#shared/aws/dynamo-segment-store.js";
import { campaignSendDeps } from "#shared/lambda/campaign-adapters.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import type { CampaignFanOutEnv } from "./env.js";

/**
 * The fan-out functions' composition root, once per container. The segment membership index (in the segments
 * table) is wired with its rebuild marker and the segment definitions: `Plan` reads a campaign's audience from it
 * once a `reindex` has finished and the audience is an evaluated segment, else by a scan of the profile table
 * (the run records which, and why).
 */
export function makeCampaignFanOutDeps(env: CampaignFanOutEnv): PlanFanOutDeps & FanOutPartDeps {
  const dynamodb = new DynamoDBClient({});
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE });
  const members = new DynamoSegmentMembers({ client: dynamodb, tableName: env.SEGMENTS_TABLE });
  return {
    ...campaignSendDeps({ env, dynamodb, sqs: new SQSClient({}) }),
    profiles,
    segments: new DynamoSegmentStore({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
    memberIndex: members,
    memberIndexStatus: members,
    segmentLibrary: loadSegmentLibrary(env.SEGMENTS_DIR),
    runs: new DynamoFanOutRuns({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
    clock: runtimeClock,
  };
}
