import { z } from "zod";

/**
 * The ingest function's environment, validated once at cold start. The CDK construct types the function's
 * `environment` prop from this schema, so a missing variable is a compile error, not a runtime surprise.
 */
export const ingestEnvSchema = z.object({
  /** DynamoDB table holding one compact profile item per customer (partition key `customerId`). */
  PROFILES_TABLE: z.string().min(3),
  /** S3 bucket receiving malformed records with their raw bytes and the reason. */
  QUARANTINE_BUCKET: z.string().min(3),
  /** Folder of segment definitions, relative to the working directory (the bundle root on Lambda). */
  SEGMENTS_DIR: z.string().min(1),
  /** DynamoDB table of due-time timers (partition `b`, sort `k`). */
  TIMERS_TABLE: z.string().min(3),
  /** DynamoDB table of segment bookkeeping: sharded size counters and the RFM thresholds (partition `pk`, sort `sk`). */
  SEGMENTS_TABLE: z.string().min(3),
  /** SQS queue receiving segment transitions (entered, exited) for campaigns. */
  TRANSITIONS_QUEUE_URL: z.string().min(1),
  /** Powertools service name, used by the logger and metrics. */
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  /** CloudWatch metrics namespace for the EMF metrics. */
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type IngestEnv = z.infer<typeof ingestEnvSchema>;
