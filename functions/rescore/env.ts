import { z } from "zod";
import { modelEndpointsSchema } from "#shared/lambda/model-endpoints-env.js";
import { segmentEnvShape } from "#shared/lambda/segment-env.js";

/**
 * The rescore function's environment: the nightly batch rescoring (plan, one slice, finish) reads every
 * profile, scores it with each model's endpoint, re-evaluates its segments and compares the score distributions.
 */
export const rescoreEnvSchema = z.object({
  PROFILES_TABLE: z.string().min(3),
  ...segmentEnvShape,
  /** SQS queue of send intents: campaign steps that the re-evaluated segments start. */
  SENDS_QUEUE_URL: z.string().min(1),
  /** The models to score and their endpoints: a JSON object of at least one model. */
  MODEL_ENDPOINTS: z
    .string()
    .min(2)
    .transform((text, ctx) => {
      const parsed = safeJson(text);
      const endpoints = modelEndpointsSchema.safeParse(parsed);
      if (!endpoints.success || Object.keys(endpoints.data).length === 0) {
        ctx.addIssue({ code: "custom", message: "MODEL_ENDPOINTS is not a JSON object of model → endpoint" });
        return z.NEVER;
      }
      return endpoints.data;
    }),
  /** Customer clusters fitted each run (k of k-means). @default 5 */
  CLUSTER_COUNT: z.coerce.number().int().min(1).max(20).default(5),
  POWERTOOLS_SERVICE_NAME: z.string().min(1),
  POWERTOOLS_METRICS_NAMESPACE: z.string().min(1),
});

export type RescoreEnv = z.infer<typeof rescoreEnvSchema>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
