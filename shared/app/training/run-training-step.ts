import { z } from "zod";
import { TrainingInputError } from "#shared/domain/models/index.js";
import { assertNever } from "#shared/errors.js";
import {
  evaluateRecommenderCandidate,
  type RecommenderCandidateOutput,
  type RecommenderEvaluationOutput,
  trainRecommenderCandidate,
} from "./recommender-steps.js";
import {
  type BuildFeaturesOutput,
  buildFeatures,
  buildFeaturesInputSchema,
  type EvaluateCandidateOutput,
  evaluateCandidate,
  evaluateCandidateInputSchema,
  type RecordDecisionOutput,
  recordDecision,
  recordDecisionInputSchema,
  type TrainCandidateOutput,
  type TrainingStepDeps,
  trainCandidate,
  trainCandidateInputSchema,
} from "./training-steps.js";

/** The workflow's input to the training function: the step's `action` and that step's fields. */
export const trainingStepInputSchema = z.discriminatedUnion("action", [
  buildFeaturesInputSchema.extend({ action: z.literal("buildFeatures") }),
  trainCandidateInputSchema.extend({ action: z.literal("trainCandidate") }),
  evaluateCandidateInputSchema.extend({ action: z.literal("evaluateCandidate") }),
  recordDecisionInputSchema.extend({ action: z.literal("recordDecision") }),
]);

/** What one step returns to the state machine. */
export type TrainingStepOutput =
  | BuildFeaturesOutput
  | TrainCandidateOutput
  | RecommenderCandidateOutput
  | EvaluateCandidateOutput
  | RecommenderEvaluationOutput
  | RecordDecisionOutput;

/** The step run and its output. */
export interface TrainingStepResult {
  readonly action: z.infer<typeof trainingStepInputSchema>["action"];
  readonly output: TrainingStepOutput;
}

/**
 * Runs the step the input names (the recommender's train and evaluate steps for `model: "recommendations"`). An input that is not one of the steps' is a {@link TrainingInputError}
 * naming the field and the rule (never retried).
 */
export async function runTrainingStep(deps: TrainingStepDeps, input: unknown): Promise<TrainingStepResult> {
  const parsed = trainingStepInputSchema.safeParse(input);
  if (!parsed.success) throw new TrainingInputError(`training step input: ${z.prettifyError(parsed.error)}`);
  const step = parsed.data;
  switch (step.action) {
    case "buildFeatures":
      return { action: step.action, output: await buildFeatures(deps, step) };
    case "trainCandidate": {
      const { model } = step;
      return {
        action: step.action,
        output:
          model === "recommendations"
            ? await trainRecommenderCandidate(deps, step)
            : await trainCandidate(deps, { ...step, model }),
      };
    }
    case "evaluateCandidate": {
      const { model } = step;
      return {
        action: step.action,
        output:
          model === "recommendations"
            ? await evaluateRecommenderCandidate(deps, step)
            : await evaluateCandidate(deps, { ...step, model }),
      };
    }
    case "recordDecision":
      return { action: step.action, output: await recordDecision(deps, step) };
    default:
      return assertNever(step);
  }
}
