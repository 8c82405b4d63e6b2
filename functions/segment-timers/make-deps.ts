import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { FireSendTimersDeps } from "#shared/app/fire-send-timers.js";
import type { ResettleDeps } from "#shared/app/segment-deps.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoSendTimers } from "#shared/aws/dynamo-send-timers.js";
import { SqsSendQueue } from "#shared/aws/sqs-send-queue.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import { dynamoSegmentDeps } from "#shared/lambda/segment-adapters.js";
import type { Clock } from "#shared/ports.js";
import type { SegmentTimersEnv } from "./env.js";

function sendAdapters(env: SegmentTimersEnv, dynamodb: DynamoDBClient) {
  return {
    queue: new SqsSendQueue({ client: new SQSClient({}), queueUrl: env.SENDS_QUEUE_URL }),
    timers: new DynamoSendTimers({
      client: dynamodb,
      tableName: env.TIMERS_TABLE,
      graceDays: env.TIMER_GRACE_DAYS,
    }),
  };
}

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
