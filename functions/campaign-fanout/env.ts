import { z } from "zod";
import { campaignEnvShape } from "#shared/lambda/campaign-env.js";
import { timerGraceEnvShape } from "#shared/lambda/retention-env.js";

const positive = (max: number) => z.coerce.number().int().min(1).max(max);

/**
 * The campaign fan-out functions' environment (`plan`, `part`, `finish` of one entry): a scheduled campaign's
 * audience read in parts by a Step Functions map, each part page by page within a time budget, handed to the
 * sends queue; progress kept in the segments table.
 */
export const campaignFanOutEnvSchema = z.object({
  PROFILES_TABLE: z.string().min(3),
  /** The segments table: size counters (an index part's size) and the fan-out runs' records (`fanout#…`). */
  SEGMENTS_TABLE: z.string().min(3),
  /** Folder of segment definitions: campaigns' segment references are checked against it. */
  SEGMENTS_DIR: z.string().min(1),
  /** Due-time store: delayed steps become send timers. */
  TIMERS_TABLE: z.string().min(3),
  ...timerGraceEnvShape,
  ...campaignEnvShape,
  /** Profiles (or index entries) a part reads at most: the table's item count / this = parts. */
  FANOUT_PROFILES_PER_PART: positive(10_000_000),
  /** Parts at most: the map's children. */
  FANOUT_MAX_PARTS: positive(1000),
  /**
   * Seconds an invocation of `part` starts new pages for, below its timeout: then it returns its cursor (0: one
   * page per invocation).
   */
  FANOUT_PART_BUDGET_SECONDS: z.coerce.number().int().min(0).max(900),
  /** Items a page reads at most: the memory bound of a part. */
  FANOUT_PAGE_SIZE: positive(10_000),
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type CampaignFanOutEnv = z.infer<typeof campaignFanOutEnvSchema>;
