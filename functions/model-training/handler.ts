import { z } from "zod";
import { TailorError } from "#shared/errors.js";
import { loadEnv } from "#shared/lambda/env.js";
import { modelTrainingEnvSchema } from "./env.js";

loadEnv(modelTrainingEnvSchema);

/** The training workflow's steps, selected by the input's `action`. */
const requestSchema = z.looseObject({
  action: z.enum(["buildFeatures", "trainCandidate", "evaluateCandidate", "recordDecision"]),
});

/** A step this build does not carry yet (the training core lands on branch models-train). */
export class TrainingStepUnavailableError extends TailorError {
  constructor(action: string) {
    super(`model training step ${action} is not in this build`, { retryable: false });
  }
}

/** The training workflow's one function: `action` selects the step (placeholder until the training core). */
export async function handler(input: unknown): Promise<never> {
  const { action } = requestSchema.parse(input);
  throw new TrainingStepUnavailableError(action);
}
