import { z } from "zod";
import { RFM_MONETARY_BASES } from "#shared/domain/segments/rfm.js";
import { segmentEnvShape } from "#shared/lambda/segment-env.js";

/**
 * The segment jobs' environment (plan, step, finish): recount, RFM, re-evaluation and the membership index rebuild
 * read every profile part by part, re-evaluate and write them, and keep each part's result in the segments table.
 */
export const segmentJobsEnvSchema = z.object({
  PROFILES_TABLE: z.string().min(3),
  ...segmentEnvShape,
  /** SQS queue of send intents: campaign steps that re-evaluated segments start. */
  SENDS_QUEUE_URL: z.string().min(1),
  /** What RFM's monetary value reads: `total` or `revenue` (the construct sets the stack's `rfmMonetaryBasis`). */
  RFM_MONETARY_BASIS: z.enum(RFM_MONETARY_BASES, {
    error: `RFM_MONETARY_BASIS: expected one of ${RFM_MONETARY_BASES.join(", ")}`,
  }),
  /**
   * Seconds a step reads pages before handing its cursor back to the state machine (bounded by the invocation's
   * remaining time less a minute). @default 600
   */
  STEP_SECONDS: z.coerce.number().int().min(1).max(840).default(600),
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type SegmentJobsEnv = z.infer<typeof segmentJobsEnvSchema>;
