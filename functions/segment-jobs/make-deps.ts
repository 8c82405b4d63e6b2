import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { JobRunDeps } from "#shared/app/segment-jobs/job-run.js";
import type { JobStepDeps } from "#shared/app/segment-jobs/job-step.js";
import { DynamoJobParts } from "#shared/aws/dynamo-job-parts.js";
import { DynamoOpenHourPriorStore } from "#shared/aws/dynamo-open-hour-prior-store.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSegmentMembers } from "#shared/aws/dynamo-segment-members.js";
import { DynamoSegmentStore } from "#shared/aws/dynamo-segment-store.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import { dynamoSegmentDeps } from "#shared/lambda/segment-adapters.js";
import { sendAdapters } from "#shared/lambda/send-adapters.js";
import type { Clock, MemberIndexStatus } from "#shared/ports.js";
import { loadSegmentLibrary } from "#shared/templates/segment-files.js";
import type { SegmentJobsEnv } from "./env.js";

/**
 * The step's composition root: the profile table read page by page, the segment adapters (the membership index
 * among them), send intents to the sends queue or timers, part states in the segments table.
 */
export function makeStepDeps(env: SegmentJobsEnv, clock: Clock = runtimeClock): JobStepDeps {
  const dynamodb = new DynamoDBClient({});
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE });
  const segments = dynamoSegmentDeps({ env, dynamodb, outbox: profiles, clock });
  return {
    profiles,
    pages: profiles,
    clock,
    segments,
    sends: sendAdapters(env, dynamodb),
    parts: new DynamoJobParts({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
    ...(segments.members === undefined ? {} : { members: segments.members }),
    monetaryBasis: env.RFM_MONETARY_BASIS,
  };
}

/**
 * The finish step's: the part states, the segment store (sizes, thresholds), the library's segment ids and the
 * membership index's rebuild marker.
 */
export function makeRunDeps(env: SegmentJobsEnv, clock: Clock = runtimeClock): JobRunDeps {
  const dynamodb = new DynamoDBClient({});
  return {
    parts: new DynamoJobParts({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
    store: new DynamoSegmentStore({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
    library: loadSegmentLibrary(env.SEGMENTS_DIR),
    indexStatus: makeIndexStatus(env),
    openHourPriors: new DynamoOpenHourPriorStore({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
    clock,
  };
}

/** The membership index's rebuild marker in the segments table (Plan reads it, Finish writes it). */
export function makeIndexStatus(env: Pick<SegmentJobsEnv, "SEGMENTS_TABLE">): MemberIndexStatus {
  return new DynamoSegmentMembers({ client: new DynamoDBClient({}), tableName: env.SEGMENTS_TABLE });
}
