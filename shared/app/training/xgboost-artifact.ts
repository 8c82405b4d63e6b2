import { TrainingInputError } from "#shared/domain/models/index.js";
import { type XgboostModel, xgboostModelSchema } from "#shared/domain/models/xgboost-json.js";
import { packModelTarball, unpackModelTarball, XGBOOST_MODEL_FILE } from "#shared/model-tarball.js";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The JSON bytes of a model (no leading space: XGBoost detects JSON by the first byte `{`). */
export function xgboostJsonBytes(model: XgboostModel): Uint8Array {
  return encoder.encode(JSON.stringify(model));
}

/** `model.tar.gz` holding the model as `xgboost-model`, the file SageMaker's XGBoost container loads. */
export function packXgboostArtifact(model: XgboostModel): Uint8Array {
  return packModelTarball([{ name: XGBOOST_MODEL_FILE, body: xgboostJsonBytes(model) }]);
}

/** Reads a JSON XGBoost model's bytes; `where` names them in the error. */
export function parseXgboostJson(bytes: Uint8Array, where: string): XgboostModel {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(bytes));
  } catch (error) {
    throw new TrainingInputError(`${where}: not JSON (${String(error)})`);
  }
  const parsed = xgboostModelSchema.safeParse(value);
  if (!parsed.success)
    throw new TrainingInputError(`${where}: not an XGBoost JSON model: ${parsed.error.message}`);
  return parsed.data;
}

/** The model of a `model.tar.gz` (its `xgboost-model` file, or its only file). */
export function unpackXgboostArtifact(bytes: Uint8Array, where: string): XgboostModel {
  const files = unpackModelTarball(bytes);
  const body = files.get(XGBOOST_MODEL_FILE) ?? (files.size === 1 ? [...files.values()][0] : undefined);
  if (body === undefined)
    throw new TrainingInputError(`${where}: no ${XGBOOST_MODEL_FILE} file in the archive`);
  return parseXgboostJson(body, `${where}/${XGBOOST_MODEL_FILE}`);
}
