import type { Context } from "aws-lambda";
import { runTrainingStep, type TrainingStepOutput } from "#shared/app/training/run-training-step.js";
import { withTrainingWindow } from "#shared/app/training/workflow-window.js";
import { loadEnv } from "#shared/lambda/env.js";
import { baseMiddlewareBundle, observabilityFor } from "#shared/lambda/middleware.js";
import { modelTrainingEnvSchema } from "./env.js";
import { makeTrainingDeps } from "./make-deps.js";

const env = loadEnv(modelTrainingEnvSchema);
const observability = observabilityFor(env);
const deps = makeTrainingDeps(env);

/**
 * One step of the training workflow, chosen by the input's `action` (`buildFeatures`, `trainCandidate`,
 * `evaluateCandidate`, `recordDecision`); the output is the step's small JSON (keys, versions, the decision).
 * A run started with no time window (the schedule, the drift alarm) trains on the default one
 * (`withTrainingWindow`). A bad input throws a non-retryable error naming the field.
 */
export async function run(input: unknown, _context: Context): Promise<TrainingStepOutput> {
  const result = await runTrainingStep(deps, withTrainingWindow(input, deps.clock.now()));
  observability.logger.info("training step", { action: result.action, output: result.output });
  return result.output;
}

export const handler = baseMiddlewareBundle<unknown, TrainingStepOutput>(observability).handler(run);
