import { z } from "zod";
import { campaignEnvShape } from "#shared/lambda/campaign-env.js";
import { auditRetentionEnvShape } from "#shared/lambda/retention-env.js";
import { segmentEnvShape } from "#shared/lambda/segment-env.js";

/**
 * The ingest function's environment, validated once at cold start. The CDK construct types the function's
 * `environment` prop from this schema, so a missing variable is a compile error, not a runtime surprise.
 */
export const ingestEnvSchema = z.object({
  /** DynamoDB table holding one compact profile item per customer (partition key `customerId`). */
  PROFILES_TABLE: z.string().min(3),
  /** S3 bucket receiving malformed records with their raw bytes and the reason. */
  QUARANTINE_BUCKET: z.string().min(3),
  /** DynamoDB audit log (`pk`, `sk`), append-only: consent changes, erasures, exports. */
  AUDIT_TABLE: z.string().min(3).optional(),
  ...auditRetentionEnvShape,
  /** Watch index of catalog-triggered campaigns (partition `p` product, sort `c` customer): views and cart adds. */
  WATCHES_TABLE: z.string().min(3).optional(),
  ...segmentEnvShape,
  ...campaignEnvShape,
  /** Hours after a delivery or click in which an order counts as the email's conversion (experiments). */
  CONVERSION_WINDOW_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 90)
    .optional(),
  /**
   * Real-time scoring: model name → SageMaker endpoint, as JSON (e.g. `{"purchase_30d":"tailor-purchase-30d"}`).
   * Without it, scores change only in the nightly rescoring.
   */
  MODEL_ENDPOINTS: z.string().min(2).optional(),
  /** Real-time scoring: minutes between two rescorings of one customer. @default 15 */
  REALTIME_SCORING_MINUTES: z.coerce.number().int().min(1).max(1440).optional(),
  /** Powertools service name, used by the logger and metrics. */
  /** DynamoDB catalog table: `Product Updated` events update it (without it they are counted and dropped). */
  CATALOG_TABLE: z.string().min(3).optional(),
  /** SQS queue of catalog changes (price drops, back in stock) that product events cause. */
  CATALOG_CHANGES_QUEUE_URL: z.string().min(1).optional(),
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  /** CloudWatch metrics namespace for the EMF metrics. */
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type IngestEnv = z.infer<typeof ingestEnvSchema>;
