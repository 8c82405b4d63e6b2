import { PROPENSITY_MODELS } from "#shared/domain/models/registry.js";
import {
  evaluateRecommenderCandidate,
  RECOMMENDER_MODEL,
  type RecommenderCandidateOutput,
  type RecommenderEvaluationOutput,
  trainRecommenderCandidate,
} from "./recommender-steps.js";
import {
  type BuildFeaturesInput,
  type BuildFeaturesOutput,
  buildFeatures,
  type EvaluateCandidateOutput,
  evaluateCandidate,
  recordDecision,
  type TrainingStepDeps,
  trainCandidate,
} from "./training-steps.js";

/** What one propensity model's run of the workflow did. */
export interface PropensityRunReport {
  readonly model: (typeof PROPENSITY_MODELS)[number];
  readonly version: string;
  readonly trees: number;
  readonly evaluation: EvaluateCandidateOutput;
  /** The version in service after the run. */
  readonly current: string | null;
}

/** What the recommender's run of the workflow did. */
export interface RecommenderRunReport {
  readonly model: typeof RECOMMENDER_MODEL;
  readonly version: string;
  readonly candidate: RecommenderCandidateOutput;
  readonly evaluation: RecommenderEvaluationOutput;
  readonly current: string | null;
}

/** What one model's run of the workflow did. */
export type ModelRunReport = PropensityRunReport | RecommenderRunReport;

/** What the whole workflow did. */
export interface TrainingRunReport {
  readonly features: BuildFeaturesOutput;
  readonly models: readonly ModelRunReport[];
}

/**
 * The training workflow in one process, step after step as the state machine runs them on AWS: features once,
 * then for each propensity model and the recommender train, evaluate on the hold-out against the baseline and the
 * model in service, and record the decision (promoted or refused).
 */
export async function runTrainingWorkflow(
  deps: TrainingStepDeps,
  input: BuildFeaturesInput,
): Promise<TrainingRunReport> {
  const features = await buildFeatures(deps, input);
  const models: ModelRunReport[] = [];
  for (const model of PROPENSITY_MODELS) {
    const candidate = await trainCandidate(deps, {
      model,
      trainKey: features.trainKey,
      validationKey: features.validationKey,
    });
    const evaluation = await evaluateCandidate(deps, {
      model,
      version: candidate.version,
      holdoutKey: features.holdoutKey,
    });
    const { current } = await recordDecision(deps, {
      model,
      version: candidate.version,
      promote: evaluation.promote,
    });
    models.push({ model, version: candidate.version, trees: candidate.trees, evaluation, current });
  }
  const candidate = await trainRecommenderCandidate(deps, { trainKey: features.trainKey });
  const evaluation = await evaluateRecommenderCandidate(deps, {
    version: candidate.version,
    holdoutKey: features.holdoutKey,
  });
  const { current } = await recordDecision(deps, {
    model: RECOMMENDER_MODEL,
    version: candidate.version,
    promote: evaluation.promote,
  });
  models.push({ model: RECOMMENDER_MODEL, version: candidate.version, candidate, evaluation, current });
  return { features, models };
}
