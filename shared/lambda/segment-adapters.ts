import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SQSClient } from "@aws-sdk/client-sqs";
import { cachedEvaluationContext, type SegmentDeps } from "../app/segment-deps.js";
import { DynamoSegmentMembers } from "../aws/dynamo-segment-members.js";
import { DynamoSegmentStore } from "../aws/dynamo-segment-store.js";
import { DynamoTimers } from "../aws/dynamo-timers.js";
import { SqsTransitionPublisher } from "../aws/sqs-transition-publisher.js";
import type { Clock, OutboxStore } from "../ports.js";
import { loadSegmentLibrary } from "../templates/segment-files.js";
import type { SegmentEnv } from "./segment-env.js";

/**
 * The segment adapters of a composition root: the library read and validated once (an invalid definition fails
 * the cold start, loudly), DynamoDB timers and bookkeeping, the segment membership index (in the segments
 * table), the SQS transition publisher, and the evaluation context cached for a minute.
 */
export function dynamoSegmentDeps(options: {
  readonly env: SegmentEnv;
  readonly dynamodb: DynamoDBClient;
  readonly outbox: OutboxStore;
  readonly clock: Clock;
}): SegmentDeps {
  const { env, dynamodb, outbox, clock } = options;
  const store = new DynamoSegmentStore({ client: dynamodb, tableName: env.SEGMENTS_TABLE });
  const library = loadSegmentLibrary(env.SEGMENTS_DIR);
  return {
    library,
    outbox,
    store,
    timers: new DynamoTimers({
      client: dynamodb,
      tableName: env.TIMERS_TABLE,
      graceDays: env.TIMER_GRACE_DAYS,
    }),
    transitions: new SqsTransitionPublisher({
      client: new SQSClient({}),
      queueUrl: env.TRANSITIONS_QUEUE_URL,
    }),
    members: new DynamoSegmentMembers({
      client: dynamodb,
      tableName: env.SEGMENTS_TABLE,
      segmentIds: () => library.definitions.map((d) => d.id),
      clock,
    }),
    context: cachedEvaluationContext(store, clock),
  };
}
