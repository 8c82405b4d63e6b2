import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import { recommenderArtifactSchema } from "../domain/models/recommender-schema.js";
import { type XgboostModel, xgboostModelSchema } from "../domain/models/xgboost-json.js";
import { RECOMMENDER_MODEL_FILE, unpackModelTarball, XGBOOST_MODEL_FILE } from "../model-tarball.js";
import { InvalidArtifactError } from "./errors.js";

const logisticSchema = z
  .object({
    kind: z.literal("logistic"),
    name: z.string().min(1),
    featureVersion: z.number().int(),
    featureNames: z.array(z.string()).min(1),
    mean: z.array(z.number()),
    scale: z.array(z.number()),
    weights: z.array(z.number()),
    bias: z.number(),
    trainedAt: z.string().optional(),
    evaluation: z.unknown().optional(),
  })
  .refine(
    (a) =>
      a.mean.length === a.featureNames.length &&
      a.scale.length === a.featureNames.length &&
      a.weights.length === a.featureNames.length,
    { message: "featureNames, mean, scale and weights must have the same length" },
  );

const recommenderSchema = recommenderArtifactSchema;

const artifactSchema = z.discriminatedUnion("kind", [logisticSchema, recommenderSchema]);

/** A propensity model: score = sigmoid(bias + Σ wᵢ (xᵢ − meanᵢ) / scaleᵢ). */
export type LogisticArtifact = z.infer<typeof logisticSchema>;
/** An item-to-item recommender: scored neighbours per product, and best sellers to fill in. */
export type RecommenderArtifact = z.infer<typeof recommenderSchema>;
/** A gradient-boosted tree model in XGBoost's JSON format (what SageMaker's built-in XGBoost container loads). */
export interface XgboostArtifact {
  readonly kind: "xgboost";
  readonly model: XgboostModel;
}
/** Any model the server can serve. */
export type ModelArtifact = LogisticArtifact | RecommenderArtifact | XgboostArtifact;

/**
 * Validates a parsed artifact (JSON value); `source` names it in the error. An XGBoost JSON model (a `learner`
 * object) is read as one; anything else must be one of our own artifacts (`kind`).
 */
export function parseArtifact(value: unknown, source: string): ModelArtifact {
  if (typeof value === "object" && value !== null && "learner" in value) {
    const xgboost = xgboostModelSchema.safeParse(value);
    if (!xgboost.success)
      throw new InvalidArtifactError(
        `${source} is not an XGBoost JSON model: ${z.prettifyError(xgboost.error)}`,
      );
    return { kind: "xgboost", model: xgboost.data };
  }
  const result = artifactSchema.safeParse(value);
  if (!result.success)
    throw new InvalidArtifactError(`${source} is not a model artifact: ${z.prettifyError(result.error)}`);
  return result.data;
}

/** Reads an artifact's JSON bytes; `source` names them in the error. */
export function parseArtifactBytes(bytes: Uint8Array, source: string): ModelArtifact {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (error) {
    throw new InvalidArtifactError(`${source} is not readable JSON`, error);
  }
  return parseArtifact(value, source);
}

/**
 * Reads a `model.tar.gz` as SageMaker hosting does: its `xgboost-model` file, else its `recommender.json` (a
 * recommender's table, served by its `code/inference.py` on AWS), else its only file is the model; `source` names
 * it in the error.
 */
export function parseModelTarball(bytes: Uint8Array, source: string): ModelArtifact {
  let files: Map<string, Uint8Array>;
  try {
    files = unpackModelTarball(bytes);
  } catch (error) {
    throw new InvalidArtifactError(
      `${source}: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
  const name = [XGBOOST_MODEL_FILE, RECOMMENDER_MODEL_FILE].find((file) => files.has(file));
  const only = files.size === 1 ? [...files][0] : undefined;
  const [file, body] = name === undefined ? (only ?? []) : [name, files.get(name)];
  if (file === undefined || body === undefined)
    throw new InvalidArtifactError(
      `${source} holds no ${XGBOOST_MODEL_FILE} or ${RECOMMENDER_MODEL_FILE} file (it holds ${[...files.keys()].join(", ")})`,
    );
  return parseArtifactBytes(body, `${source}/${file}`);
}

/**
 * Reads every `*.json` (our artifacts or XGBoost JSON models) and `*.tar.gz` (SageMaker model archives) of a
 * directory, each named after its file (`purchase_30d.json` → `purchase_30d`).
 */
export async function loadArtifactDirectory(directory: string): Promise<Map<string, ModelArtifact>> {
  const files = (await readdir(directory))
    .filter((file) => file.endsWith(".json") || file.endsWith(".tar.gz"))
    .sort();
  const models = new Map<string, ModelArtifact>();
  for (const file of files) {
    const path = join(directory, file);
    const bytes = await readFile(path);
    if (file.endsWith(".tar.gz")) models.set(basename(file, ".tar.gz"), parseModelTarball(bytes, path));
    else models.set(basename(file, ".json"), parseArtifactBytes(bytes, path));
  }
  return models;
}
