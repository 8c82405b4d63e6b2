import { z } from "zod";

/**
 * The catalog-import function's environment: it imports a feed dropped into the feed bucket (S3 event) into the
 * catalog table and publishes the changes it finds to the catalog changes queue.
 */
export const catalogImportEnvSchema = z.object({
  /** DynamoDB catalog table (partition `pk` = product id, sort `sk`). */
  CATALOG_TABLE: z.string().min(3),
  /** The feed bucket: feeds under `feeds/`, checkpoints under `checkpoints/`. */
  FEED_BUCKET: z.string().min(3),
  /** SQS queue of catalog changes (price drops, back in stock). */
  CATALOG_CHANGES_QUEUE_URL: z.string().min(1),
  /** Share of the catalog one import may retire before it suspects a truncated feed (0 to 1). */
  MAX_RETIRE_SHARE: z.coerce.number().min(0).max(1),
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type CatalogImportEnv = z.infer<typeof catalogImportEnvSchema>;
