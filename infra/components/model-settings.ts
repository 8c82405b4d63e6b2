import type { Node } from "constructs";
import { z } from "zod";
import { parseScheduleExpression } from "#shared/domain/schedules/index.js";
import { InfraConfigError } from "./infra-config-error.js";

/** How the scoring models' SageMaker endpoints come to be. */
export const MODEL_HOSTINGS = ["existing", "serverless", "provisioned"] as const;

/** `existing`: endpoints deployed separately, named by `modelEndpoints`; else the stack deploys them. */
export type ModelHosting = (typeof MODEL_HOSTINGS)[number];

/** The models' settings, as props or CDK context (`-c modelHosting=serverless`). */
export interface ModelSettingsInput {
  /**
   * `existing` (the endpoints `modelEndpoints` names are deployed separately), `serverless` or `provisioned`
   * (the stack deploys them from the model bucket, with SageMaker's built-in XGBoost image).
   * @default "existing"
   */
  readonly modelHosting?: ModelHosting;
  /** Serverless endpoints' memory, 1024 to 6144 MB in steps of 1024. @default 2048 */
  readonly modelServerlessMemoryMb?: number;
  /** Serverless endpoints' concurrent invocations, 1 to 200. @default 5 */
  readonly modelServerlessMaxConcurrency?: number;
  /** Provisioned endpoints' instance type. @default "ml.m5.large" */
  readonly modelInstanceType?: string;
  /** Provisioned endpoints' instances, 1 to 10. @default 1 */
  readonly modelInstanceCount?: number;
  /**
   * The inference image, for a region the built-in XGBoost table does not know.
   * @default - SageMaker's `sagemaker-xgboost:1.7-1` of the stack's region
   */
  readonly modelImage?: string;
  /**
   * The first artifact each endpoint serves, a key of the model bucket per scoring model (JSON, e.g.
   * `{"purchase_30d":"models/purchase_30d/v1/model.tar.gz",…}`); required when the stack deploys endpoints.
   */
  readonly modelArtifacts?: Readonly<Record<string, string>> | string;
  /**
   * When the training workflow runs: an EventBridge schedule expression, or `off`.
   * @default {@link DEFAULT_TRAIN_SCHEDULE}
   */
  readonly trainSchedule?: string;
}

/** The settings' context keys, for the one list of known keys. */
export const MODEL_CONTEXT_KEYS = [
  "modelHosting",
  "modelServerlessMemoryMb",
  "modelServerlessMaxConcurrency",
  "modelInstanceType",
  "modelInstanceCount",
  "modelImage",
  "modelArtifacts",
  "trainSchedule",
] as const;

/** Sundays at 01:00 UTC: a promoted model is in service before the nightly rescoring at 03:00. */
export const DEFAULT_TRAIN_SCHEDULE = "cron(0 1 ? * SUN *)";

/** Where the stack's endpoints run. */
export type EndpointCapacity =
  | { readonly kind: "serverless"; readonly memoryMb: number; readonly maxConcurrency: number }
  | { readonly kind: "provisioned"; readonly instanceType: string; readonly instanceCount: number };

/** The resolved model settings. */
export interface ModelSettings {
  /** `undefined`: the endpoints are deployed separately (`existing`). */
  readonly capacity: EndpointCapacity | undefined;
  /** The image URI given, else `undefined` (the region's built-in XGBoost). */
  readonly image: string | undefined;
  /** Model → the model bucket key of its first artifact (only when the stack deploys endpoints). */
  readonly initialArtifacts: Readonly<Record<string, string>>;
  /** The training schedule, or `undefined` when `off`. */
  readonly trainSchedule: string | undefined;
}

const artifactsSchema = z.record(z.string(), z.string().regex(/^models\/[^\s]+\.tar\.gz$/));

/**
 * The model settings: each from the props, else the CDK context of `node`, else its default; `scoringModels` are
 * the models whose endpoints the stack deploys. Throws {@link InfraConfigError} naming the setting, the rule and
 * an example.
 */
export function resolveModelSettings(
  input: ModelSettingsInput,
  node: Node,
  scoringModels: readonly string[],
): ModelSettings {
  const raw = (key: keyof ModelSettingsInput): unknown => input[key] ?? node.tryGetContext(key);
  const fail = (key: string, rule: string, example: string, got: unknown): never => {
    throw new InfraConfigError(
      `${key} must be ${rule} (e.g. -c ${key}=${example}), got ${JSON.stringify(got)}`,
    );
  };
  const number = (key: keyof ModelSettingsInput, fallback: number, min: number, max: number, step = 1) => {
    const value = raw(key) ?? fallback;
    const parsed = z.coerce.number().int().min(min).max(max).safeParse(value);
    if (!parsed.success || value === "" || typeof value === "boolean" || parsed.data % step !== 0) {
      const steps = step === 1 ? "" : ` in steps of ${step}`;
      return fail(key, `a whole number from ${min} to ${max}${steps}`, String(fallback), value);
    }
    return parsed.data;
  };

  const hosting = raw("modelHosting") ?? "existing";
  const known = MODEL_HOSTINGS.find((h) => h === hosting);
  if (known === undefined) fail("modelHosting", `one of ${MODEL_HOSTINGS.join(", ")}`, "serverless", hosting);
  let capacity: EndpointCapacity | undefined;
  if (known === "serverless") {
    capacity = {
      kind: "serverless",
      memoryMb: number("modelServerlessMemoryMb", 2048, 1024, 6144, 1024),
      maxConcurrency: number("modelServerlessMaxConcurrency", 5, 1, 200),
    };
  } else if (known === "provisioned") {
    const instanceType = raw("modelInstanceType") ?? "ml.m5.large";
    if (typeof instanceType !== "string" || !/^ml\.[a-z0-9]+\.[a-z0-9]+$/.test(instanceType)) {
      fail("modelInstanceType", "a SageMaker instance type", "ml.m5.large", instanceType);
    }
    capacity = {
      kind: "provisioned",
      instanceType: String(instanceType),
      instanceCount: number("modelInstanceCount", 1, 1, 10),
    };
  }

  const image = raw("modelImage");
  if (image !== undefined && (typeof image !== "string" || !/^\d{12}\.dkr\.ecr\.[^/]+\/.+:.+$/.test(image))) {
    fail(
      "modelImage",
      "an ECR image URI",
      "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
      image,
    );
  }

  const initialArtifacts =
    capacity === undefined ? {} : resolveArtifacts(raw("modelArtifacts"), scoringModels);

  const schedule = raw("trainSchedule") ?? DEFAULT_TRAIN_SCHEDULE;
  let trainSchedule: string | undefined;
  if (schedule !== "off") {
    const parsed = typeof schedule === "string" ? parseScheduleExpression(schedule) : undefined;
    if (parsed === undefined || parsed.kind === "invalid") {
      const problem = parsed?.kind === "invalid" ? `; ${parsed.problem}` : "";
      fail(
        "trainSchedule",
        `a cron(...) or rate(...) expression or off${problem}`,
        '"rate(7 days)"',
        schedule,
      );
    } else trainSchedule = parsed.expression;
  }
  return { capacity, image: typeof image === "string" ? image : undefined, initialArtifacts, trainSchedule };
}

/** `modelArtifacts`: a key of the model bucket for every scoring model. */
function resolveArtifacts(value: unknown, models: readonly string[]): Readonly<Record<string, string>> {
  const example = `'{"${models[0] ?? "purchase_30d"}":"models/${models[0] ?? "purchase_30d"}/<version>/model.tar.gz"}'`;
  let json: unknown = value;
  if (typeof value === "string") {
    try {
      json = JSON.parse(value);
    } catch {
      json = undefined;
    }
  }
  const parsed = artifactsSchema.safeParse(json);
  const missing = parsed.success ? models.filter((m) => parsed.data[m] === undefined) : models;
  if (!parsed.success || missing.length > 0) {
    throw new InfraConfigError(
      `modelArtifacts must name, for each of ${models.join(", ")}, the model bucket key of the first model the ` +
        `stack's endpoint serves (models/…/model.tar.gz; missing: ${missing.join(", ") || "none"}), e.g. ` +
        `-c modelArtifacts=${example}: train once first (docs/models.md, "On AWS")`,
    );
  }
  return parsed.data;
}
