import { z } from "zod";

/** The archive transform's environment: only its observability (it reads and writes nothing itself). */
export const archiveEnvSchema = z.object({
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type ArchiveEnv = z.infer<typeof archiveEnvSchema>;
