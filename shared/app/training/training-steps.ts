import { z } from "zod";
import { FEATURE_NAMES, FEATURE_VERSION } from "#shared/domain/features/index.js";
import { trainGbtree } from "#shared/domain/models/gbtree.js";
import {
  averagePrecision,
  brierScore,
  calibration,
  rocAuc,
  TrainingInputError,
} from "#shared/domain/models/index.js";
import { decidePromotion, type PromotionFigures } from "#shared/domain/models/promotion.js";
import {
  finiteOrNull,
  type ModelVersionRecord,
  PROPENSITY_MODELS,
  REGISTRY_MODELS,
  type RegistryModel,
  registryKeys,
  TRAINING_SOURCES,
  type VersionEvaluation,
  versionAt,
} from "#shared/domain/models/registry.js";
import { predictXgboost, type XgboostModel } from "#shared/domain/models/xgboost-json.js";
import type { Clock, EventArchive, ModelRegistry, TrainingObjects } from "#shared/ports.js";
import { readArchiveHistory } from "./archive-history.js";
import {
  buildFeatureTable,
  eventsByCustomer,
  type FeatureRow,
  type LabelledRows,
  parseTrainingCsv,
  toTrainingCsv,
} from "./feature-table.js";
import { buildRecommenderTables } from "./recommender-tables.js";
import { packXgboostArtifact, unpackXgboostArtifact, xgboostJsonBytes } from "./xgboost-artifact.js";

/**
 * The training workflow's steps (a Step Functions state machine on AWS, `tailor train --from-stack` locally),
 * each a function of (deps, input) to a small JSON output: data moves through the training bucket by key, never
 * through the state machine's payload (256 KB at most).
 *
 * `buildFeatures` → `trainCandidate` → `evaluateCandidate` → `recordDecision`, once per propensity model after the
 * first step.
 */
export interface TrainingStepDeps {
  /** The raw event archive the features are built from. */
  readonly archive: EventArchive;
  /** Where feature tables go (the registry's bucket on AWS). */
  readonly objects: TrainingObjects;
  readonly registry: ModelRegistry;
  readonly clock: Clock;
  /** Recorded with each version. @default "archive" */
  readonly source?: (typeof TRAINING_SOURCES)[number];
}

/** Where training tables live in the bucket. */
export const TRAINING_PREFIX = "training/";

const iso = z.iso.datetime({ offset: true });
const registryModel = z.enum(REGISTRY_MODELS);
const key = z.string().min(1).max(1024);

/** Input of {@link buildFeatures}: the history's range and the two cutoffs (ISO 8601). */
export const buildFeaturesInputSchema = z.object({
  /** Records that arrived from this time… */
  from: iso,
  /** …to this one. */
  to: iso,
  cutoff: iso,
  holdoutCutoff: iso,
  /** The end of the events' own time (labels look no further). @default to */
  end: iso.optional(),
  maxCustomers: z.number().int().positive().optional(),
});
/** Input of {@link trainCandidate}. */
export const trainCandidateInputSchema = z.object({
  model: registryModel,
  trainKey: key,
  validationKey: key,
});
/** Input of {@link evaluateCandidate}. */
export const evaluateCandidateInputSchema = z.object({
  model: registryModel,
  version: z.string().min(1),
  holdoutKey: key,
});
/** Input of {@link recordDecision}. */
export const recordDecisionInputSchema = z.object({
  model: registryModel,
  version: z.string().min(1),
  promote: z.boolean(),
});

export type BuildFeaturesInput = z.infer<typeof buildFeaturesInputSchema>;
export type TrainCandidateInput = z.infer<typeof trainCandidateInputSchema>;
export type EvaluateCandidateInput = z.infer<typeof evaluateCandidateInputSchema>;
/** A propensity model's name. */
export type PropensityModel = (typeof PROPENSITY_MODELS)[number];
export type RecordDecisionInput = z.infer<typeof recordDecisionInputSchema>;

/** Output of {@link buildFeatures}: prefixes holding one CSV per model (`<prefix><model>.csv`). */
export interface BuildFeaturesOutput {
  readonly trainKey: string;
  readonly validationKey: string;
  readonly holdoutKey: string;
  readonly rows: { readonly train: number; readonly validation: number; readonly holdout: number };
  /** Label windows in days (shortened when the history is short). */
  readonly windows: { readonly purchaseDays: number; readonly churnDays: number };
  readonly customers: number;
  /** Customers left out of the sample. */
  readonly sampledOut: number;
  /** Archive records that are not valid events (not learned from). */
  readonly invalid: number;
}

/** Output of {@link trainCandidate}. */
export interface TrainCandidateOutput {
  readonly version: string;
  /** The candidate's `model.tar.gz` key in the registry's bucket. */
  readonly artifactKey: string;
  readonly trees: number;
}

/** Output of {@link evaluateCandidate}: the decision and the figures behind it. */
export interface EvaluateCandidateOutput {
  readonly promote: boolean;
  readonly reason: string;
  readonly metrics: {
    readonly holdoutRows: number;
    readonly rocAuc: number | null;
    readonly averagePrecision: number | null;
    readonly brier: number | null;
    readonly recencyRocAuc: number | null;
    /** The model in service on the same hold-out (absent when none). */
    readonly inService?: {
      readonly version: string;
      readonly rocAuc: number | null;
      readonly brier: number | null;
    };
  };
}

/** Output of {@link recordDecision}: the version in service after it (null when none). */
export interface RecordDecisionOutput {
  readonly current: string | null;
}

/** What a feature table's folder says about it (`training/<run>/table.json`). */
export const tableMetaSchema = z.object({
  cutoff: iso,
  holdoutCutoff: iso,
  windows: z.object({ purchaseDays: z.number(), churnDays: z.number() }),
  featureVersion: z.number().int(),
  featureNames: z.array(z.string()),
  source: z.enum(TRAINING_SOURCES),
});
export type TableMeta = z.infer<typeof tableMetaSchema>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `training/<run>/<split>/` → `training/<run>/` */
export function runPrefix(splitKey: string): string {
  const trimmed = splitKey.endsWith("/") ? splitKey.slice(0, -1) : splitKey;
  return trimmed.slice(0, trimmed.lastIndexOf("/") + 1);
}

const csvKey = (prefix: string, model: string) => `${prefix}${model}.csv`;
/** The recommender's table of a split (`<split prefix>recommendations.json`). */
export const recommenderTableKey = (prefix: string) => `${prefix}recommendations.json`;

/**
 * Step 1: reads the archive over [from, to], builds features as of `cutoff` (labels after it) for training and
 * validation, and as of `holdoutCutoff` (labels after it) for the hold-out, and writes them as SageMaker CSV
 * (label first, no header), one file per model, plus the table's description.
 */
export async function buildFeatures(
  deps: TrainingStepDeps,
  input: BuildFeaturesInput,
): Promise<BuildFeaturesOutput> {
  const [from, to, cutoff, holdoutCutoff] = [input.from, input.to, input.cutoff, input.holdoutCutoff].map(
    Date.parse,
  );
  if (
    from === undefined ||
    to === undefined ||
    cutoff === undefined ||
    holdoutCutoff === undefined ||
    !(from <= to)
  )
    throw new TrainingInputError(
      "from must not be after to: the range of arrival read from the archive (e.g. from 2026-01-01T00:00:00Z, to 2026-04-01T00:00:00Z)",
    );
  const archived = await readArchiveHistory(deps.archive, {
    fromMs: from,
    toMs: to,
    ...(input.maxCustomers === undefined ? {} : { maxCustomers: input.maxCustomers }),
  });
  const end = input.end === undefined ? to : Date.parse(input.end);
  const byCustomer = eventsByCustomer(archived.history, to);
  const table = buildFeatureTable(byCustomer, { cutoff, holdoutCutoff, end });
  const recommender = buildRecommenderTables(byCustomer, holdoutCutoff, end);
  const run = `${TRAINING_PREFIX}${versionAt(deps.clock.now())}/`;
  const prefixes = { train: `${run}train/`, validation: `${run}validation/`, holdout: `${run}holdout/` };
  const meta: TableMeta = {
    cutoff: new Date(cutoff).toISOString(),
    holdoutCutoff: new Date(holdoutCutoff).toISOString(),
    windows: table.windows,
    featureVersion: FEATURE_VERSION,
    featureNames: [...FEATURE_NAMES],
    source: deps.source ?? "archive",
  };
  for (const model of PROPENSITY_MODELS) {
    await putText(deps.objects, csvKey(prefixes.train, model), toTrainingCsv(table.train, model), "text/csv");
    await putText(
      deps.objects,
      csvKey(prefixes.validation, model),
      toTrainingCsv(table.validation, model),
      "text/csv",
    );
    await putText(
      deps.objects,
      csvKey(prefixes.holdout, model),
      toTrainingCsv(table.holdout, model),
      "text/csv",
    );
  }
  const json = (value: unknown) => JSON.stringify(value);
  await putText(
    deps.objects,
    recommenderTableKey(prefixes.train),
    json(recommender.train),
    "application/json",
  );
  await putText(
    deps.objects,
    recommenderTableKey(prefixes.holdout),
    json(recommender.holdout),
    "application/json",
  );
  await putText(deps.objects, `${run}table.json`, `${JSON.stringify(meta, null, 2)}\n`, "application/json");
  return {
    trainKey: prefixes.train,
    validationKey: prefixes.validation,
    holdoutKey: prefixes.holdout,
    rows: { train: table.train.length, validation: table.validation.length, holdout: table.holdout.length },
    windows: table.windows,
    customers: archived.customers,
    sampledOut: archived.sampledOut,
    invalid: archived.invalid,
  };
}

/**
 * Step 2: trains a candidate (gradient-boosted trees, early stopping on the validation table) and writes it to the
 * registry as a new version (`model.tar.gz` with the XGBoost JSON model, and its record), not yet in service.
 */
export async function trainCandidate(
  deps: TrainingStepDeps,
  input: TrainCandidateInput & { readonly model: PropensityModel },
): Promise<TrainCandidateOutput> {
  const { meta, table: train } = await readSplit(deps.objects, input.trainKey, input.model);
  const validation = await readTable(deps.objects, csvKey(input.validationKey, input.model));
  if (train.labels.length === 0) throw new TrainingInputError(`${input.trainKey}: no training rows`);
  const result = trainGbtree(train.rows, train.labels, validation, { featureNames: meta.featureNames });
  const version = await freeVersion(deps.registry, input.model, versionAt(deps.clock.now()));
  const record: ModelVersionRecord = {
    model: input.model,
    version,
    trainedAt: new Date(deps.clock.now()).toISOString(),
    cutoff: meta.cutoff,
    source: meta.source,
    format: "xgboost-json",
    featureVersion: meta.featureVersion,
    featureNames: meta.featureNames,
    trainRows: train.labels.length,
  };
  await deps.registry.putVersion(record, packXgboostArtifact(result.model), xgboostJsonBytes(result.model));
  return { version, artifactKey: registryKeys.artifact(input.model, version), trees: result.trees };
}

/** A propensity model's figures on labelled rows, with the recency baseline's. */
export function evaluatePropensity(
  model: XgboostModel,
  table: LabelledRows,
  name: (typeof PROPENSITY_MODELS)[number],
  holdoutCutoff?: string,
): VersionEvaluation {
  const scores = table.rows.map((row) => predictXgboost(model, row));
  const recency = FEATURE_NAMES.indexOf("days_since_last_order");
  // Recent buyers buy again and rarely leave: the baseline ranks by days since the last order.
  const sign = name === "churn_60d" ? 1 : -1;
  const baseline = table.rows.map((row) => sign * (row[recency] ?? 0));
  const positives = table.labels.reduce((a, b) => a + b, 0);
  return {
    holdoutRows: table.labels.length,
    ...(holdoutCutoff === undefined ? {} : { holdoutCutoff }),
    positiveRate: table.labels.length === 0 ? null : positives / table.labels.length,
    rocAuc: finiteOrNull(rocAuc(scores, table.labels)),
    averagePrecision: finiteOrNull(averagePrecision(scores, table.labels)),
    brier: finiteOrNull(brierScore(scores, table.labels)),
    calibration: calibration(scores, table.labels, 10).map((bin) => ({
      ...bin,
      meanPredicted: finiteOrNull(bin.meanPredicted),
      observed: finiteOrNull(bin.observed),
    })),
    baselines: {
      recency: {
        rocAuc: finiteOrNull(rocAuc(baseline, table.labels)),
        averagePrecision: finiteOrNull(averagePrecision(baseline, table.labels)),
      },
    },
  };
}

const figures = (evaluation: VersionEvaluation): PromotionFigures => ({
  metric: "rocAuc",
  value: evaluation.rocAuc ?? Number.NaN,
  baseline: evaluation.baselines.recency?.rocAuc ?? Number.NaN,
  brier: evaluation.brier ?? Number.NaN,
});

/**
 * Step 3: evaluates the candidate and the model in service on the same new hold-out and decides
 * ({@link decidePromotion}); the evaluation and decision are kept in the candidate's record.
 */
export async function evaluateCandidate(
  deps: TrainingStepDeps,
  input: EvaluateCandidateInput & { readonly model: PropensityModel },
): Promise<EvaluateCandidateOutput> {
  const { meta, table: holdout } = await readSplit(deps.objects, input.holdoutKey, input.model);
  const record = await deps.registry.getRecord(input.model, input.version);
  if (record === undefined)
    throw new TrainingInputError(`no version ${input.version} of ${input.model} in the registry`);
  const candidate = evaluatePropensity(
    await loadXgboost(deps.registry, input.model, input.version),
    holdout,
    input.model,
    meta.holdoutCutoff,
  );
  const current = await deps.registry.current(input.model);
  let inService: { version: string; evaluation: VersionEvaluation } | undefined;
  if (current !== undefined && current.version !== input.version) {
    const served = await deps.registry.getRecord(input.model, current.version);
    if (served?.format === "xgboost-json") {
      const model = await loadXgboost(deps.registry, input.model, current.version);
      inService = { version: current.version, evaluation: evaluatePropensity(model, holdout, input.model) };
    }
  }
  const decision = decidePromotion(
    figures(candidate),
    inService === undefined ? undefined : { version: inService.version, ...figures(inService.evaluation) },
  );
  await deps.registry.putRecord({
    ...record,
    evaluation: candidate,
    decision: { ...decision, decidedAt: new Date(deps.clock.now()).toISOString() },
  });
  return {
    promote: decision.promoted,
    reason: decision.reason,
    metrics: {
      holdoutRows: candidate.holdoutRows,
      rocAuc: candidate.rocAuc ?? null,
      averagePrecision: candidate.averagePrecision ?? null,
      brier: candidate.brier ?? null,
      recencyRocAuc: candidate.baselines.recency?.rocAuc ?? null,
      ...(inService === undefined
        ? {}
        : {
            inService: {
              version: inService.version,
              rocAuc: inService.evaluation.rocAuc ?? null,
              brier: inService.evaluation.brier ?? null,
            },
          }),
    },
  };
}

/** Step 4: puts the candidate into service when promoted; the version in service either way. */
export async function recordDecision(
  deps: TrainingStepDeps,
  input: RecordDecisionInput,
): Promise<RecordDecisionOutput> {
  if (input.promote) {
    if ((await deps.registry.getRecord(input.model, input.version)) === undefined)
      throw new TrainingInputError(`no version ${input.version} of ${input.model} in the registry`);
    await deps.registry.setCurrent({
      model: input.model,
      version: input.version,
      promotedAt: new Date(deps.clock.now()).toISOString(),
    });
  }
  return { current: (await deps.registry.current(input.model))?.version ?? null };
}

/** `base`, or `base-2`, `base-3`… when a version of that name exists (two trainings in the same second). */
export async function freeVersion(
  registry: ModelRegistry,
  model: RegistryModel,
  base: string,
): Promise<string> {
  let version = base;
  for (let n = 2; (await registry.getRecord(model, version)) !== undefined; n++) version = `${base}-${n}`;
  return version;
}

async function loadXgboost(
  registry: ModelRegistry,
  model: (typeof PROPENSITY_MODELS)[number],
  version: string,
): Promise<XgboostModel> {
  const bytes = await registry.getArtifact(model, version);
  if (bytes === undefined) throw new TrainingInputError(`no artifact for version ${version} of ${model}`);
  return unpackXgboostArtifact(bytes, registryKeys.artifact(model, version));
}

/** A split's table for one model, with the description of the run it belongs to. */
async function readSplit(
  objects: TrainingObjects,
  splitKey: string,
  model: string,
): Promise<{ meta: TableMeta; table: LabelledRows }> {
  return {
    meta: await readMeta(objects, runPrefix(splitKey)),
    table: await readTable(objects, csvKey(splitKey, model)),
  };
}

export async function readMeta(objects: TrainingObjects, run: string): Promise<TableMeta> {
  const text = await getText(objects, `${run}table.json`);
  const parsed = tableMetaSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new TrainingInputError(`${run}table.json: ${parsed.error.message}`);
  return parsed.data;
}

async function readTable(objects: TrainingObjects, key: string): Promise<LabelledRows> {
  return parseTrainingCsv(await getText(objects, key), key);
}

export async function getText(objects: TrainingObjects, key: string): Promise<string> {
  const bytes = await objects.get(key);
  if (bytes === undefined) throw new TrainingInputError(`${key}: no such object in the training bucket`);
  return decoder.decode(bytes);
}

export function putText(
  objects: TrainingObjects,
  key: string,
  text: string,
  contentType: string,
): Promise<void> {
  return objects.put(key, encoder.encode(text), contentType);
}

/** Rows of a feature table, re-exported for callers that build tables in memory. */
export type { FeatureRow };
