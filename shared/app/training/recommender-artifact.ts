import { z } from "zod";
import type { CooccurrenceModel } from "#shared/domain/models/index.js";
import { TrainingInputError } from "#shared/domain/models/index.js";
import { recommenderArtifactSchema } from "#shared/domain/models/recommender-schema.js";
import { packModelTarball, RECOMMENDER_MODEL_FILE, unpackModelTarball } from "#shared/model-tarball.js";
import { RECOMMENDER_INFERENCE_PY } from "./recommender-inference-script.js";

/** Where the serving script sits in the archive: SageMaker unpacks it to `/opt/ml/model/code/inference.py`. */
export const RECOMMENDER_SCRIPT_FILE = "code/inference.py";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The JSON a recommender version is stored as (`recommender.json`, and the registry's `model.json`). */
export function recommenderJsonBytes(model: CooccurrenceModel, trainedAt: string): Uint8Array {
  return encoder.encode(JSON.stringify({ kind: "item-cooccurrence", version: 1, ...model, trainedAt }));
}

/**
 * `model.tar.gz` of a recommender version: `recommender.json` (the co-occurrence table) and `code/inference.py`
 * (the script SageMaker's framework container runs in script mode), so the same archive is served locally and on
 * AWS.
 */
export function packRecommenderArtifact(model: CooccurrenceModel, trainedAt: string): Uint8Array {
  return packModelTarball([
    { name: RECOMMENDER_MODEL_FILE, body: recommenderJsonBytes(model, trainedAt) },
    { name: RECOMMENDER_SCRIPT_FILE, body: encoder.encode(RECOMMENDER_INFERENCE_PY) },
  ]);
}

/** The co-occurrence table of a recommender's `model.tar.gz`; `where` names it in the error. */
export function unpackRecommenderArtifact(bytes: Uint8Array, where: string): CooccurrenceModel {
  const body = unpackModelTarball(bytes).get(RECOMMENDER_MODEL_FILE);
  if (body === undefined)
    throw new TrainingInputError(`${where}: no ${RECOMMENDER_MODEL_FILE} file in the archive`);
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(body));
  } catch (error) {
    throw new TrainingInputError(`${where}/${RECOMMENDER_MODEL_FILE}: not JSON (${String(error)})`);
  }
  const parsed = recommenderArtifactSchema.safeParse(value);
  if (!parsed.success)
    throw new TrainingInputError(
      `${where}/${RECOMMENDER_MODEL_FILE}: not a recommender: ${z.prettifyError(parsed.error)}`,
    );
  const { neighbours, popular, popularByCategory } = parsed.data;
  return popularByCategory === undefined
    ? { neighbours, popular }
    : { neighbours, popular, popularByCategory };
}
