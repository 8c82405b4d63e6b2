import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { ResettleDeps } from "../../shared/app/segment-deps.js";
import { DynamoProfileStore } from "../../shared/aws/dynamo-profile-store.js";
import { dynamoSegmentDeps } from "../../shared/aws/segment-adapters.js";
import { type Clock, systemClock } from "../../shared/ports.js";
import type { SegmentTimersEnv } from "./env.js";

/**
 * The segment-timers function's composition root: SDK clients once per container, the segment library read
 * and validated once. `clock` is for tests that fire timers at a chosen time against real adapters.
 */
export function makeSegmentTimersDeps(env: SegmentTimersEnv, clock: Clock = systemClock): ResettleDeps {
  const dynamodb = new DynamoDBClient({});
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE });
  return { profiles, clock, segments: dynamoSegmentDeps({ env, dynamodb, outbox: profiles, clock }) };
}
