import { existsSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { trainAll } from "#shared/app/training/index.js";
import { ObjectModelRegistry } from "#shared/app/training/object-model-registry.js";
import { REGISTRY_MODELS, REGISTRY_PREFIX } from "#shared/domain/models/registry.js";
import {
  loadArtifactDirectory,
  type ModelArtifact,
  type ModelServer,
  parseModelTarball,
  startModelServer,
} from "#shared/model-server/index.js";
import {
  simulatedHistory,
  simulatorCatalogProducts,
  type TrainingHistoryOptions,
} from "#shared/sim/index.js";
import { FileTrainingObjects } from "./file-training-objects.js";
import { LocalStackError } from "./local-errors.js";
import { applyEnvironment } from "./sdk-env.js";

/** The folder `tailor train` writes and the local model server serves. */
export const defaultModelsDir = ".tailor/models";

/** The simulated history models are trained on when their folder has none: `tailor train`'s defaults. */
export const DEFAULT_TRAINING_HISTORY: TrainingHistoryOptions = { seed: 1, customers: 600, days: 90 };

/**
 * Makes sure `dir` holds model artifacts: when it is missing or has no JSON file, trains the models on the
 * simulator's `history` (by default as `tailor train` does) and writes them. Resolves whether it trained.
 */
export async function ensureModelArtifacts(
  dir: string,
  log: (line: string) => void,
  history: TrainingHistoryOptions = DEFAULT_TRAINING_HISTORY,
): Promise<boolean> {
  if (existsSync(dir) && (await readdir(dir)).some((file) => file.endsWith(".json"))) return false;
  log(`no model artifacts in ${dir}: training them on simulated history (tailor train)…`);
  const { artifacts } = trainAll({
    ...simulatedHistory(history),
    catalog: simulatorCatalogProducts(history.seed),
  });
  await mkdir(dir, { recursive: true });
  await Promise.all([
    writeFile(join(dir, "purchase_30d.json"), `${JSON.stringify(artifacts.purchase, null, 2)}\n`),
    writeFile(join(dir, "churn_60d.json"), `${JSON.stringify(artifacts.churn, null, 2)}\n`),
    writeFile(join(dir, "recommendations.json"), `${JSON.stringify(artifacts.recommender)}\n`),
  ]);
  return true;
}

/** The local model registry in a models folder (`.tailor/models/<model>/<version>/…`). */
export function localRegistry(dir: string = defaultModelsDir): ObjectModelRegistry {
  return new ObjectModelRegistry(new FileTrainingObjects(resolve(dir), REGISTRY_PREFIX));
}

/**
 * The versions in service of the registry in `dir` (`<model>/current.json`), read from their `model.tar.gz`: they
 * take the place of the flat files of the same model. Read at each start (`tailor up`, `tailor rescore`), so a
 * promotion is served from the next one.
 */
export async function loadRegistryCurrent(
  dir: string,
): Promise<Map<string, { readonly version: string; readonly artifact: ModelArtifact }>> {
  const registry = localRegistry(dir);
  const served = new Map<string, { version: string; artifact: ModelArtifact }>();
  for (const model of REGISTRY_MODELS) {
    const current = await registry.current(model);
    if (current === undefined) continue;
    const bytes = await registry.getArtifact(model, current.version);
    if (bytes === undefined)
      throw new LocalStackError(
        `${dir}/${model}/current.json names ${current.version}, which has no model.tar.gz`,
      );
    served.set(model, {
      version: current.version,
      artifact: parseModelTarball(bytes, `${model} ${current.version}`),
    });
  }
  return served;
}

/** A model server standing in for the SageMaker endpoints, and the variables that point the SDK at it. */
export interface LocalModels {
  readonly server: ModelServer;
  /** `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME` → the server. */
  readonly env: Readonly<Record<string, string>>;
  /** Stops the server and puts `process.env` back. */
  stop(): Promise<void>;
}

export interface LocalModelsOptions {
  /** @default ".tailor/models" under the working directory */
  readonly dir?: string;
  /**
   * Model → endpoint name (a function's `MODEL_ENDPOINTS`): each model is served under its endpoint's name as
   * well as its own, as `InvokeEndpoint` names the endpoint.
   */
  readonly endpoints?: Readonly<Record<string, string>>;
  /**
   * Endpoint names served by the recommender (a function's `RECOMMENDER_ENDPOINT`): the artifact
   * `recommendations.json`, else the folder's only item-to-item recommender.
   */
  readonly recommenderEndpoints?: readonly string[];
  /**
   * Set `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME` in `process.env` until `stop()`. Default true; the local stack
   * sets it itself, with the functions' environment.
   */
  readonly applyEnv?: boolean;
  readonly log?: (line: string) => void;
  /**
   * The simulated history to train on when `dir` holds no model (tests train on a smaller one).
   * @default {@link DEFAULT_TRAINING_HISTORY}
   */
  readonly trainingHistory?: TrainingHistoryOptions;
}

/** The model file `tailor train` writes for the recommender, by its model name. */
const RECOMMENDER_MODEL = "recommendations";

/** The recommender among `models`: the one named `recommendations`, else the only item-to-item one. */
function recommenderOf(models: ReadonlyMap<string, ModelArtifact>, dir: string): ModelArtifact {
  const named = models.get(RECOMMENDER_MODEL);
  if (named?.kind === "item-cooccurrence") return named;
  const recommenders = [...models.values()].filter((model) => model.kind === "item-cooccurrence");
  const [only, ...others] = recommenders;
  if (only === undefined || others.length > 0) {
    throw new LocalStackError(
      `no ${RECOMMENDER_MODEL}.json recommender in ${dir} to serve the recommender endpoint ` +
        "(run `npx tailor train`)",
    );
  }
  return only;
}

/** The endpoints functions name in their environment: `MODEL_ENDPOINTS` and `RECOMMENDER_ENDPOINT`. */
export interface NamedEndpoints {
  /** Model → endpoint name, over every function (the first function naming a model wins). */
  readonly models: Readonly<Record<string, string>>;
  /** The recommender endpoints, each once. */
  readonly recommenders: readonly string[];
}

/** The model endpoints the functions' environments name, for {@link startLocalModels}. */
export function namedEndpoints(
  functions: readonly { readonly environment: Readonly<Record<string, string>> }[],
): NamedEndpoints {
  const models: Record<string, string> = {};
  const recommenders = new Set<string>();
  for (const fn of functions) {
    for (const [model, endpoint] of Object.entries(modelEndpointsOf(fn.environment.MODEL_ENDPOINTS))) {
      models[model] ??= endpoint;
    }
    const recommender = fn.environment.RECOMMENDER_ENDPOINT;
    if (recommender !== undefined && recommender !== "") recommenders.add(recommender);
  }
  return { models, recommenders: [...recommenders] };
}

/** Every endpoint name of `named`, sorted. */
export function endpointNames(named: NamedEndpoints): string[] {
  return [...new Set([...Object.values(named.models), ...named.recommenders])].sort();
}

/**
 * Serves the model artifacts of `dir` (trained first when there are none) on a free port, under their model and
 * endpoint names (the recommender under each of `recommenderEndpoints`), with
 * `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME` pointing at it in `process.env` until `stop()` (unless `applyEnv` is off).
 */
export async function startLocalModels(options: LocalModelsOptions = {}): Promise<LocalModels> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = resolve(options.dir ?? defaultModelsDir);
  await ensureModelArtifacts(dir, log, options.trainingHistory);
  const models = await loadArtifactDirectory(dir);
  for (const [model, artifact] of await loadRegistryCurrent(dir)) {
    log(`serving ${model} ${artifact.version} from the model registry`);
    models.set(model, artifact.artifact);
  }
  for (const [model, endpoint] of Object.entries(options.endpoints ?? {})) {
    const artifact = models.get(model);
    if (artifact === undefined) {
      throw new LocalStackError(`no artifact for model ${model} in ${dir} (run \`npx tailor train\`)`);
    }
    models.set(endpoint, artifact);
  }
  const recommenderEndpoints = options.recommenderEndpoints ?? [];
  if (recommenderEndpoints.length > 0) {
    const recommender = recommenderOf(models, dir);
    for (const endpoint of recommenderEndpoints) models.set(endpoint, recommender);
  }
  const server = await startModelServer({ port: 0, models });
  const env = { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: server.url };
  const restore = options.applyEnv === false ? () => {} : applyEnvironment(env);
  return {
    server,
    env,
    stop: async () => {
      restore();
      await server.stop();
    },
  };
}

/** Parses a `MODEL_ENDPOINTS` value (JSON object of model → endpoint name); `{}` when absent or malformed. */
export function modelEndpointsOf(value: string | undefined): Record<string, string> {
  if (value === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return {};
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return {};
  return Object.fromEntries(
    Object.entries(parsed).flatMap(([model, endpoint]) =>
      typeof endpoint === "string" ? [[model, endpoint]] : [],
    ),
  );
}
