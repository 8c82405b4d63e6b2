import { z } from "zod";

/**
 * The model training function's environment: the training workflow's steps read the raw event archive and the
 * profiles, and write feature tables and model versions to the model bucket.
 */
export const modelTrainingEnvSchema = z.object({
  /** The model bucket: the registry under `models/`, the feature tables under `features/`. */
  MODEL_BUCKET: z.string().min(3),
  /** The raw event archive (Firehose objects under `events/`). */
  ARCHIVE_BUCKET: z.string().min(3),
  PROFILES_TABLE: z.string().min(3),
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type ModelTrainingEnv = z.infer<typeof modelTrainingEnvSchema>;
