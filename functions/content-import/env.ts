import { z } from "zod";

/**
 * The content-import function's environment: it imports a content library file dropped into the feed bucket
 * under `content/` (S3 event) into the content table.
 */
export const contentImportEnvSchema = z.object({
  /** DynamoDB content table (partition `pk` = content id, sort `sk`). */
  CONTENT_TABLE: z.string().min(3),
  /** The feed bucket: content library files under `content/`. */
  FEED_BUCKET: z.string().min(3),
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type ContentImportEnv = z.infer<typeof contentImportEnvSchema>;
