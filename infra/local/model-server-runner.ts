import { existsSync } from "node:fs";
import { mkdir, readdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { trainAll } from "../../shared/app/training/index.js";
import {
  loadArtifactDirectory,
  type ModelServer,
  startModelServer,
} from "../../shared/model-server/index.js";
import { LocalStackError } from "./local-errors.js";
import { applyEnvironment } from "./sdk-env.js";

/** The folder `tailor train` writes and the local model server serves. */
export const defaultModelsDir = ".tailor/models";

/**
 * Makes sure `dir` holds model artifacts: when it is missing or has no JSON file, trains the models on the
 * simulator's history (as `tailor train` does with its defaults) and writes them. Resolves whether it trained.
 */
export async function ensureModelArtifacts(dir: string, log: (line: string) => void): Promise<boolean> {
  if (existsSync(dir) && (await readdir(dir)).some((file) => file.endsWith(".json"))) return false;
  log(`no model artifacts in ${dir}: training them on simulated history (tailor train)…`);
  const { artifacts } = trainAll({ seed: 1, customers: 600, days: 90 });
  await mkdir(dir, { recursive: true });
  await Promise.all([
    writeFile(join(dir, "purchase_30d.json"), `${JSON.stringify(artifacts.purchase, null, 2)}\n`),
    writeFile(join(dir, "churn_60d.json"), `${JSON.stringify(artifacts.churn, null, 2)}\n`),
    writeFile(join(dir, "recommendations.json"), `${JSON.stringify(artifacts.recommender)}\n`),
  ]);
  return true;
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
  readonly log?: (line: string) => void;
}

/**
 * Serves the model artifacts of `dir` (trained first when there are none) on a free port, under their model and
 * endpoint names, with `AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME` pointing at it in `process.env` until `stop()`.
 */
export async function startLocalModels(options: LocalModelsOptions = {}): Promise<LocalModels> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const dir = resolve(options.dir ?? defaultModelsDir);
  await ensureModelArtifacts(dir, log);
  const models = await loadArtifactDirectory(dir);
  for (const [model, endpoint] of Object.entries(options.endpoints ?? {})) {
    const artifact = models.get(model);
    if (artifact === undefined) {
      throw new LocalStackError(`no artifact for model ${model} in ${dir} (run \`npx tailor train\`)`);
    }
    models.set(endpoint, artifact);
  }
  const server = await startModelServer({ port: 0, models });
  const env = { AWS_ENDPOINT_URL_SAGEMAKER_RUNTIME: server.url };
  const restore = applyEnvironment(env);
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
