import { z } from "zod";

/**
 * A recommender as stored and served (`recommender.json` in its `model.tar.gz`, or a flat
 * `recommendations.json`): neighbours per product, best sellers, best sellers per category.
 */
export const recommenderArtifactSchema = z.object({
  kind: z.literal("item-cooccurrence"),
  version: z.number().int(),
  neighbours: z.record(z.string(), z.array(z.tuple([z.string(), z.number()]))),
  popular: z.array(z.string()),
  popularByCategory: z.record(z.string(), z.array(z.string())).optional(),
  trainedAt: z.string().optional(),
  evaluation: z.unknown().optional(),
});
