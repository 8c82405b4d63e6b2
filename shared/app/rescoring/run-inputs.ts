import { z } from "zod";
import { MAX_CLUSTERS } from "#shared/domain/clusters/index.js";
import { clusterRunSchema, sliceResultSchema } from "./finish-run.js";

/** The state machine's input of `Plan`. */
export const planInputSchema = z.object({ totalSegments: z.number().int().min(1).max(1000).optional() });
/** The state machine's input of one `RescoreSlice`. */
export const sliceInputSchema = z.object({
  startedAt: z.number(),
  segment: z.number().int().nonnegative(),
  totalSegments: z.number().int().min(1),
});
/** The state machine's input of `Clusters`. */
export const clusterInputSchema = z.object({
  totalSegments: z.number().int().min(1).max(1000),
  clusters: z.number().int().min(1).max(MAX_CLUSTERS).optional(),
});
/** The state machine's input of `Finish`. */
export const finishInputSchema = z.object({
  startedAt: z.number(),
  summaries: z.array(sliceResultSchema),
  clusters: clusterRunSchema.optional(),
});

export type PlanInput = z.input<typeof planInputSchema>;
export type SliceInput = z.input<typeof sliceInputSchema>;
export type ClusterInput = z.input<typeof clusterInputSchema>;
export type FinishInput = z.input<typeof finishInputSchema>;
