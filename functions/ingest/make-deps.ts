import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { IngestDeps } from "../../shared/app/ingest-batch.js";
import { cachedEvaluationContext } from "../../shared/app/segment-deps.js";
import { DynamoProfileStore } from "../../shared/aws/dynamo-profile-store.js";
import { DynamoSegmentStore } from "../../shared/aws/dynamo-segment-store.js";
import { DynamoTimers } from "../../shared/aws/dynamo-timers.js";
import { S3Quarantine } from "../../shared/aws/s3-quarantine.js";
import { SqsTransitionPublisher } from "../../shared/aws/sqs-transition-publisher.js";
import { systemClock } from "../../shared/ports.js";
import { loadSegmentLibrary } from "../../shared/templates/segment-files.js";
import type { IngestEnv } from "./env.js";

/**
 * The ingest function's composition root: SDK clients created once per container, adapters wired to them, the
 * segment library read and validated once (an invalid definition fails the cold start, loudly).
 */
export function makeIngestDeps(env: IngestEnv): IngestDeps {
  const dynamodb = new DynamoDBClient({});
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE });
  const store = new DynamoSegmentStore({ client: dynamodb, tableName: env.SEGMENTS_TABLE });
  return {
    profiles,
    quarantine: new S3Quarantine({ client: new S3Client({}), bucketName: env.QUARANTINE_BUCKET }),
    clock: systemClock,
    segments: {
      library: loadSegmentLibrary(env.SEGMENTS_DIR),
      outbox: profiles,
      store,
      timers: new DynamoTimers({ client: dynamodb, tableName: env.TIMERS_TABLE }),
      transitions: new SqsTransitionPublisher({
        client: new SQSClient({}),
        queueUrl: env.TRANSITIONS_QUEUE_URL,
      }),
      context: cachedEvaluationContext(store, systemClock),
    },
  };
}
