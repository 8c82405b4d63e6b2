import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { cachedEvaluationContext, type ResettleDeps } from "../../shared/app/segment-deps.js";
import { DynamoProfileStore } from "../../shared/aws/dynamo-profile-store.js";
import { DynamoSegmentStore } from "../../shared/aws/dynamo-segment-store.js";
import { DynamoTimers } from "../../shared/aws/dynamo-timers.js";
import { SqsTransitionPublisher } from "../../shared/aws/sqs-transition-publisher.js";
import { type Clock, systemClock } from "../../shared/ports.js";
import { loadSegmentLibrary } from "../../shared/templates/segment-files.js";
import type { SegmentTimersEnv } from "./env.js";

/**
 * The segment-timers function's composition root: SDK clients once per container, the segment library read
 * and validated once. `clock` is for tests that fire timers at a chosen time against real adapters.
 */
export function makeSegmentTimersDeps(env: SegmentTimersEnv, clock: Clock = systemClock): ResettleDeps {
  const dynamodb = new DynamoDBClient({});
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE });
  const store = new DynamoSegmentStore({ client: dynamodb, tableName: env.SEGMENTS_TABLE });
  return {
    profiles,
    clock,
    segments: {
      library: loadSegmentLibrary(env.SEGMENTS_DIR),
      outbox: profiles,
      store,
      timers: new DynamoTimers({ client: dynamodb, tableName: env.TIMERS_TABLE }),
      transitions: new SqsTransitionPublisher({
        client: new SQSClient({}),
        queueUrl: env.TRANSITIONS_QUEUE_URL,
      }),
      context: cachedEvaluationContext(store, clock),
    },
  };
}
