import {
  type CooccurrenceModel,
  TrainingInputError,
  trainCooccurrence,
} from "#shared/domain/models/index.js";
import { decidePromotion, type PromotionFigures } from "#shared/domain/models/promotion.js";
import {
  finiteOrNull,
  type ModelVersionRecord,
  registryKeys,
  type VersionEvaluation,
  versionAt,
} from "#shared/domain/models/registry.js";
import type { ModelRegistry } from "#shared/ports.js";
import {
  catalogFromHistory,
  evaluateRecommender,
  type RecommenderEvaluation,
} from "./evaluate-recommender.js";
import {
  packRecommenderArtifact,
  recommenderJsonBytes,
  unpackRecommenderArtifact,
} from "./recommender-artifact.js";
import {
  holdoutCustomers,
  parseRecommenderTable,
  recommenderHoldoutTableSchema,
  recommenderTrainTableSchema,
} from "./recommender-tables.js";
import {
  freeVersion,
  getText,
  readMeta,
  recommenderTableKey,
  runPrefix,
  type TrainingStepDeps,
} from "./training-steps.js";

/** The recommender's name in the registry. */
export const RECOMMENDER_MODEL = "recommendations";

/**
 * Products given a row of neighbours at most (the most seen): with 30 neighbours each, the table stays under
 * about 15 MB of JSON whatever the catalog, well within the model archive's bound and an endpoint's memory.
 */
export const RECOMMENDER_MAX_ITEMS = 20_000;

/**
 * How much lower than the recommender in service a candidate's precision@10 may be and still go out (the same
 * hold-out, so this is noise between two near-equal tables, not a trend).
 */
export const RECOMMENDER_TOLERANCE = 0.005;

/** Output of {@link trainRecommenderCandidate}. */
export interface RecommenderCandidateOutput {
  readonly version: string;
  readonly artifactKey: string;
  /** Products with a row of neighbours. */
  readonly items: number;
  /** Training baskets (customers before the cut-off). */
  readonly baskets: number;
  /** Size of `recommender.json`. */
  readonly bytes: number;
}

/** Output of {@link evaluateRecommenderCandidate}: the decision and the figures behind it. */
export interface RecommenderEvaluationOutput {
  readonly promote: boolean;
  readonly reason: string;
  readonly lists: {
    /** Hold-out customers given a list. */
    readonly holdoutCustomers: number;
    /** Those who bought something new after the cut-off (precision and recall are means over them). */
    readonly scoredCustomers: number;
    readonly precisionAt10: number | null;
    readonly recallAt10: number | null;
    readonly coverage: number | null;
    readonly popularity: { readonly precisionAt10: number | null; readonly recallAt10: number | null };
    readonly inService?: {
      readonly version: string;
      readonly precisionAt10: number | null;
      readonly recallAt10: number | null;
    };
  };
}

/**
 * Trains a recommender candidate on the training table (every customer's basket before the hold-out cut-off,
 * best sellers from orders, at most {@link RECOMMENDER_MAX_ITEMS} rows) and writes it to the registry as a new
 * version (`model.tar.gz` with `recommender.json` and `code/inference.py`), not yet in service.
 */
export async function trainRecommenderCandidate(
  deps: TrainingStepDeps,
  input: { readonly trainKey: string },
): Promise<RecommenderCandidateOutput> {
  const meta = await readMeta(deps.objects, runPrefix(input.trainKey));
  const key = recommenderTableKey(input.trainKey);
  const table = parseRecommenderTable(recommenderTrainTableSchema, await getText(deps.objects, key), key);
  if (table.seen.length === 0) throw new TrainingInputError(`${key}: no customer before the cut-off`);
  const model = trainCooccurrence(table.seen, {
    popularFrom: table.bought,
    categoryOf: new Map(table.categories),
    items: RECOMMENDER_MAX_ITEMS,
  });
  const trainedAt = new Date(deps.clock.now()).toISOString();
  const version = await freeVersion(deps.registry, RECOMMENDER_MODEL, versionAt(deps.clock.now()));
  const record: ModelVersionRecord = {
    model: RECOMMENDER_MODEL,
    version,
    trainedAt,
    // The recommender learns from everything before the hold-out cut-off and is judged on what came after it.
    cutoff: meta.holdoutCutoff,
    source: meta.source,
    format: "item-cooccurrence-json",
    featureVersion: meta.featureVersion,
    featureNames: [],
    trainRows: table.seen.length,
  };
  const json = recommenderJsonBytes(model, trainedAt);
  await deps.registry.putVersion(record, packRecommenderArtifact(model, trainedAt), json);
  return {
    version,
    artifactKey: registryKeys.artifact(RECOMMENDER_MODEL, version),
    items: Object.keys(model.neighbours).length,
    baskets: table.seen.length,
    bytes: json.length,
  };
}

/** The figures promotion compares: precision@10, against the popularity baseline's on the same customers. */
function figures(evaluation: RecommenderEvaluation): PromotionFigures {
  return {
    metric: "precisionAt10",
    value: evaluation.precisionAt10,
    baseline: evaluation.baseline.precisionAt10,
  };
}

/** A recommender evaluation as `version.json` keeps it. */
export function recommenderVersionEvaluation(
  evaluation: RecommenderEvaluation,
  holdoutCutoff: string,
): VersionEvaluation {
  return {
    holdoutRows: evaluation.listed,
    holdoutCutoff,
    scoredCustomers: evaluation.customers,
    precisionAt10: finiteOrNull(evaluation.precisionAt10),
    recallAt10: finiteOrNull(evaluation.recallAt10),
    coverage: finiteOrNull(evaluation.coverage),
    distinctLists: finiteOrNull(evaluation.distinctLists),
    baselines: {
      popularity: {
        precisionAt10: finiteOrNull(evaluation.baseline.precisionAt10),
        recallAt10: finiteOrNull(evaluation.baseline.recallAt10),
        coverage: finiteOrNull(evaluation.baseline.coverage),
      },
    },
  };
}

/**
 * Evaluates the recommender candidate and the one in service on the same time-based hold-out (each customer's
 * seeds at the cut-off, hits the products bought after it that were not bought before), both against the
 * popularity baseline, and decides: the candidate must beat popularity on precision@10 and be no worse than the
 * one in service by more than {@link RECOMMENDER_TOLERANCE}. The evaluation and decision are kept in its record.
 */
export async function evaluateRecommenderCandidate(
  deps: TrainingStepDeps,
  input: { readonly version: string; readonly holdoutKey: string },
): Promise<RecommenderEvaluationOutput> {
  const key = recommenderTableKey(input.holdoutKey);
  const table = parseRecommenderTable(recommenderHoldoutTableSchema, await getText(deps.objects, key), key);
  const record = await deps.registry.getRecord(RECOMMENDER_MODEL, input.version);
  if (record === undefined)
    throw new TrainingInputError(`no version ${input.version} of ${RECOMMENDER_MODEL} in the registry`);
  const customers = holdoutCustomers(table);
  const catalog = catalogFromHistory(table.categories);
  const evaluate = (model: CooccurrenceModel) => evaluateRecommender(model, customers, table.cutoff, catalog);
  const candidate = evaluate(await loadRecommender(deps.registry, input.version));
  const current = await deps.registry.current(RECOMMENDER_MODEL);
  let inService: { version: string; evaluation: RecommenderEvaluation } | undefined;
  if (current !== undefined && current.version !== input.version) {
    const served = await deps.registry.getRecord(RECOMMENDER_MODEL, current.version);
    if (served?.format === "item-cooccurrence-json")
      inService = {
        version: current.version,
        evaluation: evaluate(await loadRecommender(deps.registry, current.version)),
      };
  }
  const decision = decidePromotion(
    figures(candidate),
    inService === undefined ? undefined : { version: inService.version, ...figures(inService.evaluation) },
    { metricTolerance: RECOMMENDER_TOLERANCE },
  );
  await deps.registry.putRecord({
    ...record,
    evaluation: recommenderVersionEvaluation(candidate, new Date(table.cutoff).toISOString()),
    decision: { ...decision, decidedAt: new Date(deps.clock.now()).toISOString() },
  });
  return {
    promote: decision.promoted,
    reason: decision.reason,
    lists: {
      holdoutCustomers: candidate.listed,
      scoredCustomers: candidate.customers,
      precisionAt10: finiteOrNull(candidate.precisionAt10),
      recallAt10: finiteOrNull(candidate.recallAt10),
      coverage: finiteOrNull(candidate.coverage),
      popularity: {
        precisionAt10: finiteOrNull(candidate.baseline.precisionAt10),
        recallAt10: finiteOrNull(candidate.baseline.recallAt10),
      },
      ...(inService === undefined
        ? {}
        : {
            inService: {
              version: inService.version,
              precisionAt10: finiteOrNull(inService.evaluation.precisionAt10),
              recallAt10: finiteOrNull(inService.evaluation.recallAt10),
            },
          }),
    },
  };
}

async function loadRecommender(registry: ModelRegistry, version: string): Promise<CooccurrenceModel> {
  const bytes = await registry.getArtifact(RECOMMENDER_MODEL, version);
  if (bytes === undefined)
    throw new TrainingInputError(`no artifact for version ${version} of ${RECOMMENDER_MODEL}`);
  return unpackRecommenderArtifact(bytes, registryKeys.artifact(RECOMMENDER_MODEL, version));
}
