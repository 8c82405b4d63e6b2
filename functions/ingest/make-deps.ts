import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { IngestDeps } from "#shared/app/ingest-batch.js";
import { DynamoAuditLog } from "#shared/aws/dynamo-audit-log.js";
import { DynamoCatalog } from "#shared/aws/dynamo-catalog.js";
import { DynamoExperimentCounters } from "#shared/aws/dynamo-experiment-counters.js";
import { DynamoProfileStore } from "#shared/aws/dynamo-profile-store.js";
import { DynamoWatchIndex } from "#shared/aws/dynamo-watch-index.js";
import { S3Quarantine } from "#shared/aws/s3-quarantine.js";
import { SageMakerScorer } from "#shared/aws/sagemaker-scorer.js";
import { SqsCatalogChangePublisher } from "#shared/aws/sqs-catalog-change-publisher.js";
import { campaignSendDeps } from "#shared/lambda/campaign-adapters.js";
import { modelEndpointsSchema } from "#shared/lambda/model-endpoints-env.js";
import { runtimeClock } from "#shared/lambda/runtime-clock.js";
import { dynamoSegmentDeps } from "#shared/lambda/segment-adapters.js";
import type { IngestEnv } from "./env.js";

/** The ingest function's composition root: SDK clients created once per container, adapters wired to them. */
export function makeIngestDeps(env: IngestEnv): IngestDeps {
  const dynamodb = new DynamoDBClient({});
  const profiles = new DynamoProfileStore({ client: dynamodb, tableName: env.PROFILES_TABLE });
  return {
    profiles,
    quarantine: new S3Quarantine({ client: new S3Client({}), bucketName: env.QUARANTINE_BUCKET }),
    clock: runtimeClock,
    segments: dynamoSegmentDeps({ env, dynamodb, outbox: profiles, clock: runtimeClock }),
    campaigns: campaignSendDeps({ env, dynamodb, sqs: new SQSClient({}) }),
    experiments: new DynamoExperimentCounters({ client: dynamodb, tableName: env.SEGMENTS_TABLE }),
    ...(env.CONVERSION_WINDOW_HOURS === undefined
      ? {}
      : { conversionWindowMs: env.CONVERSION_WINDOW_HOURS * 3_600_000 }),
    ...realtimeScoring(env),
    ...(env.CATALOG_TABLE === undefined
      ? {}
      : {
          catalog: {
            store: new DynamoCatalog({ client: dynamodb, tableName: env.CATALOG_TABLE }),
            ...(env.CATALOG_CHANGES_QUEUE_URL === undefined
              ? {}
              : {
                  changes: new SqsCatalogChangePublisher({
                    client: new SQSClient({}),
                    queueUrl: env.CATALOG_CHANGES_QUEUE_URL,
                  }),
                }),
          },
        }),
    // Erased customers' late events are dropped, not folded into a new profile (tombstones stand at their keys).
    tombstones: profiles,
    // Anonymous ids merge into the known customer they are linked to (forwards at their keys in the same table).
    identities: profiles,
    ...(env.WATCHES_TABLE === undefined
      ? {}
      : { watches: new DynamoWatchIndex({ client: dynamodb, tableName: env.WATCHES_TABLE }) }),
    ...(env.AUDIT_TABLE === undefined
      ? {}
      : {
          audit: new DynamoAuditLog({
            client: dynamodb,
            tableName: env.AUDIT_TABLE,
            retentionDays: env.AUDIT_RETENTION_DAYS,
          }),
        }),
  };
}

/** Real-time scoring through the model endpoints named in `MODEL_ENDPOINTS`, when set (short timeout: ingest waits). */
function realtimeScoring(env: IngestEnv): Pick<IngestDeps, "scoring"> {
  if (env.MODEL_ENDPOINTS === undefined) return {};
  const endpoints = modelEndpointsSchema.parse(JSON.parse(env.MODEL_ENDPOINTS));
  const scorer = new SageMakerScorer({
    client: new SageMakerRuntimeClient({}),
    endpointFor: (model) => endpoints[model] ?? model,
    timeoutMs: 500,
  });
  const minutes = env.REALTIME_SCORING_MINUTES;
  return {
    scoring: {
      scorer,
      models: Object.keys(endpoints),
      ...(minutes === undefined ? {} : { minIntervalMs: minutes * 60_000 }),
    },
  };
}
