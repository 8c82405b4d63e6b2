import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { FireSendTimersDeps } from "#shared/app/fire-send-timers.js";
import type { ResettleDeps } from "#shared/app/segment-deps.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import { dynamoSegmentDeps } from "#shared/lambda/segment-adapters.js";
import { sendAdapters } from "#shared/lambda/send-adapters.js";
import type { Clock } from "#shared/ports.js";
import type { SegmentTimersEnv } from "./env.js";

/**
 * The segment-timers function's composition root for segment timers: SDK clients once per container, the
 * segment library read and validated once; send intents found in outboxes go to the sends queue or send timers.
 * `clock` is for tests that fire timers at a chosen time against real adapters.
 */
export function makeSegmentTimersDeps(env: SegmentTimersEnv, clock: Clock = runtimeClock): ResettleDeps {
  const dynamodb = new DynamoDBClient({});
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE });
  return {
    profiles,
    clock,
    segments: dynamoSegmentDeps({ env, dynamodb, outbox: profiles, clock }),
    sends: sendAdapters(env, dynamodb),
  };
}

/** The same function's send timers: delayed campaign steps moved to the sends queue when due. */
export function makeSendTimersDeps(env: SegmentTimersEnv, clock: Clock = runtimeClock): FireSendTimersDeps {
  return { ...sendAdapters(env, new DynamoDBClient({})), clock };
}
