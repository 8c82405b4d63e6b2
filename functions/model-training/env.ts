import { z } from "zod";

/**
 * The model-training function's environment: the training workflow's steps read the raw event archive and write
 * feature tables and model versions to the model bucket.
 */
export const modelTrainingEnvSchema = z.object({
  /** The raw event archive's bucket (Firehose writes `events/year=…`). */
  ARCHIVE_BUCKET: z.string().min(3),
  /** The model bucket: the registry (`models/…`) and the feature tables (`training/…`). */
  MODEL_BUCKET: z.string().min(3),
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type ModelTrainingEnv = z.infer<typeof modelTrainingEnvSchema>;
