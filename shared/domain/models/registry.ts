import { z } from "zod";

/**
 * The model registry's layout, the same in S3 and in `.tailor/models/`:
 * `models/<model>/<version>/model.tar.gz` (what SageMaker's XGBoost container loads: a file `xgboost-model`
 * holding the JSON model), `models/<model>/<version>/version.json` ({@link ModelVersionRecord}) and
 * `models/<model>/current.json` ({@link CurrentModel}), the version in service.
 */
export const REGISTRY_PREFIX = "models/";

/** The models the registry knows. */
export const REGISTRY_MODELS = ["purchase_30d", "churn_60d", "recommendations"] as const;
/** A model's name in the registry. */
export type RegistryModel = (typeof REGISTRY_MODELS)[number];
/** The propensity models trained as XGBoost. */
export const PROPENSITY_MODELS = ["purchase_30d", "churn_60d"] as const;

/** Where the training data came from. */
export const TRAINING_SOURCES = ["simulator", "stack", "archive"] as const;
/** The artifact formats a version may hold. */
export const ARTIFACT_FORMATS = ["xgboost-json", "logistic-json", "item-cooccurrence-json"] as const;

const versionPattern = /^[0-9A-Za-z][0-9A-Za-z._-]{0,79}$/;

/** A version id: safe in an S3 key and a file name (letters, digits, `.`, `_`, `-`). */
export const modelVersionSchema = z.string().regex(versionPattern, "a version is letters, digits, . _ -");

const calibrationBinSchema = z.object({
  from: z.number(),
  to: z.number(),
  count: z.number().int().nonnegative(),
  meanPredicted: z.number().nullable(),
  observed: z.number().nullable(),
});

/** A version's evaluation on its hold-out (numbers that could not be measured are null in JSON). */
export const versionEvaluationSchema = z.object({
  holdoutRows: z.number().int().nonnegative(),
  holdoutCutoff: z.string().optional(),
  positiveRate: z.number().nullable().optional(),
  rocAuc: z.number().nullable().optional(),
  averagePrecision: z.number().nullable().optional(),
  brier: z.number().nullable().optional(),
  calibration: z.array(calibrationBinSchema).optional(),
  precisionAt10: z.number().nullable().optional(),
  recallAt10: z.number().nullable().optional(),
  /** The recommender: share of in-stock products in someone's list, distinct lists over lists. */
  coverage: z.number().nullable().optional(),
  distinctLists: z.number().nullable().optional(),
  /** The recommender: hold-out customers who bought something new (precision and recall are over them). */
  scoredCustomers: z.number().int().nonnegative().optional(),
  baselines: z.record(z.string(), z.record(z.string(), z.number().nullable())),
});

/** The promotion decision kept with a version. */
export const versionDecisionSchema = z.object({
  promoted: z.boolean(),
  reason: z.string(),
  against: z.string().optional(),
  decidedAt: z.string().optional(),
});

/** `version.json`: what a version is, how it was trained and evaluated, and whether it went into service. */
export const modelVersionRecordSchema = z.object({
  model: z.enum(REGISTRY_MODELS),
  version: modelVersionSchema,
  trainedAt: z.string(),
  /** Features as of this time, labels from after it (ISO 8601). */
  cutoff: z.string(),
  source: z.enum(TRAINING_SOURCES),
  format: z.enum(ARTIFACT_FORMATS),
  featureVersion: z.number().int(),
  featureNames: z.array(z.string()),
  trainRows: z.number().int().nonnegative().optional(),
  evaluation: versionEvaluationSchema.optional(),
  decision: versionDecisionSchema.optional(),
});

/** A version's record (`version.json`). */
export type ModelVersionRecord = z.infer<typeof modelVersionRecordSchema>;
/** A version's evaluation. */
export type VersionEvaluation = z.infer<typeof versionEvaluationSchema>;
/** A version's promotion decision. */
export type VersionDecision = z.infer<typeof versionDecisionSchema>;

/** `current.json`: the version in service. */
export const currentModelSchema = z.object({
  model: z.enum(REGISTRY_MODELS),
  version: modelVersionSchema,
  promotedAt: z.string(),
});
/** The version of a model in service. */
export type CurrentModel = z.infer<typeof currentModelSchema>;

/** Keys of the registry's objects. */
export const registryKeys = {
  artifact: (model: RegistryModel, version: string) => `${REGISTRY_PREFIX}${model}/${version}/model.tar.gz`,
  json: (model: RegistryModel, version: string) => `${REGISTRY_PREFIX}${model}/${version}/model.json`,
  record: (model: RegistryModel, version: string) => `${REGISTRY_PREFIX}${model}/${version}/version.json`,
  current: (model: RegistryModel) => `${REGISTRY_PREFIX}${model}/current.json`,
  versions: (model: RegistryModel) => `${REGISTRY_PREFIX}${model}/`,
} as const;

/** Whether a string names a registry model. */
export function isRegistryModel(value: string): value is RegistryModel {
  return REGISTRY_MODELS.some((model) => model === value);
}

/** A version id from a training time: sortable, unique to the second (`20261207T012233Z`). */
export function versionAt(epochMs: number): string {
  return new Date(epochMs)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** JSON cannot hold NaN: numbers not measured become null. */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
