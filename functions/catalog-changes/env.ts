import { z } from "zod";
import { campaignEnvShape } from "#shared/lambda/campaign-env.js";
import { timerGraceEnvShape } from "#shared/lambda/retention-env.js";

/**
 * The catalog-changes function's environment: catalog changes (from the catalog changes queue) start the
 * journeys of catalog-triggered campaigns for the product's watchers.
 */
export const catalogChangesEnvSchema = z.object({
  /** Folder of segment definitions: campaigns' segment references are checked against it. */
  SEGMENTS_DIR: z.string().min(1),
  /** Due-time store: delayed steps become send timers. */
  TIMERS_TABLE: z.string().min(3),
  ...timerGraceEnvShape,
  ...campaignEnvShape,
  /** The watchers' profiles (read only). */
  PROFILES_TABLE: z.string().min(3),
  /** The watch index (partition `p` product, sort `c` customer), read page by page. */
  WATCHES_TABLE: z.string().min(3),
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type CatalogChangesEnv = z.infer<typeof catalogChangesEnvSchema>;
