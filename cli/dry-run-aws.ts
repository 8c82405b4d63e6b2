import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  GetFunctionConfigurationCommand,
  type GetFunctionConfigurationCommandOutput,
  type LambdaClient,
} from "@aws-sdk/client-lambda";
import { campaignFanOutEnvSchema } from "#functions/campaign-fanout/env.js";
import { dispatchEnvSchema } from "#functions/dispatch/env.js";
import { repositoryRoot } from "#infra/local/function-env.js";
import { DRY_RUN_OUTPUTS } from "#infra/stack-output-names.js";
import { writeCompiledTemplates } from "#shared/render/compile/index.js";
import { type DryRunAnswer, type DryRunRequest, dryRunWith } from "./campaign-dry-run.js";
import { OperationsError } from "./operations-error.js";
import { DEPLOY_HINT, readOutputsFile, stackOutputsOf } from "./outputs-file.js";

/** A deployed function's configuration as a dry run reads it. */
export interface DeployedFunction {
  readonly name: string;
  /** The region of its ARN: where its tables are. */
  readonly region: string;
  /** `Environment.Variables`. */
  readonly variables: Readonly<Record<string, string>>;
}

/** Lambda's own variables, and runtime options that mean nothing in this process. */
const NOT_APPLICATION = new Set(["NODE_OPTIONS", "AWS_NODEJS_CONNECTION_REUSE_ENABLED"]);

/** `GetFunctionConfiguration` of `name`: its environment and region; a failure names the function and the cause. */
export async function deployedFunction(client: LambdaClient, name: string): Promise<DeployedFunction> {
  let out: GetFunctionConfigurationCommandOutput;
  try {
    out = await client.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
  } catch (error) {
    throw new OperationsError(
      `GetFunctionConfiguration of ${name} failed (your credentials need lambda:GetFunctionConfiguration): ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  }
  const region = /^arn:aws[a-z-]*:lambda:([a-z0-9-]+):/.exec(out.FunctionArn ?? "")?.[1];
  if (region === undefined) throw new OperationsError(`GetFunctionConfiguration of ${name} returned no ARN`);
  const environmentError = out.Environment?.Error?.Message;
  if (environmentError !== undefined) {
    throw new OperationsError(`${name}'s environment cannot be read: ${environmentError}`);
  }
  return { name, region, variables: out.Environment?.Variables ?? {} };
}

/** A deployed function's environment pointed at the working tree's definitions and build. */
export interface WorkingTreeEnvironment {
  readonly env: Record<string, string>;
  /** The variables whose deployed value (a path inside the bundle) was replaced, with the working tree's. */
  readonly fromWorkingTree: Readonly<Record<string, string>>;
}

/**
 * A deployed function's environment as a dry run in this process applies it: the tables, queues, secret and
 * settings as deployed; every relative `*_DIR` and `*_FILE` (folders the bundle carries, relative to Lambda's task
 * root) resolved against the working tree `root`, which holds them at the same relative paths, and
 * `TEMPLATES_FILE` the working tree's templates compiled here (`templatesFile`). Runtime-only variables are left
 * out.
 */
export function workingTreeEnvironment(
  variables: Readonly<Record<string, string>>,
  build: { readonly root: string; readonly templatesFile: string },
): WorkingTreeEnvironment {
  const env: Record<string, string> = {};
  const fromWorkingTree: Record<string, string> = {};
  for (const [key, value] of Object.entries(variables)) {
    if (NOT_APPLICATION.has(key)) continue;
    const local =
      key === "TEMPLATES_FILE"
        ? build.templatesFile
        : (key.endsWith("_DIR") || key.endsWith("_FILE")) && value !== "" && !path.isAbsolute(value)
          ? path.resolve(build.root, value)
          : value;
    env[key] = local;
    if (local !== value) fromWorkingTree[key] = local;
  }
  return { env, fromWorkingTree };
}

/** Where the deployed stack is, for `tailor campaign dry-run --outputs`. */
export interface AwsDryRunTarget {
  readonly outputsFile: string;
  readonly stackName: string;
  /** The Lambda client's region. @default the SDK's (AWS_REGION, the profile) */
  readonly region?: string;
  /** @default a new client in `region` */
  readonly lambda?: LambdaClient;
  /** The working tree. @default the repository this CLI runs from */
  readonly root?: string;
}

/** A dry run's answer on AWS, with what came from where. */
export interface AwsDryRunAnswer {
  readonly answer: DryRunAnswer;
  readonly region: string;
  readonly functions: { readonly dispatch: string; readonly fanOut: string };
  /** Dispatch's variables that the working tree supplied (definitions and templates). */
  readonly fromWorkingTree: Readonly<Record<string, string>>;
}

function functionNameOf(file: string, outputs: Record<string, unknown>, output: string): string {
  const name = outputs[output];
  if (typeof name !== "string" || name === "") {
    throw new OperationsError(`${file}: no ${output} output — ${DEPLOY_HINT}`);
  }
  return name;
}

/**
 * `tailor campaign dry-run <id> --outputs F`: the deployed dispatch and fan-out functions' configuration read
 * (`GetFunctionConfiguration`, names from the outputs file), their composition roots run in this process against
 * the deployed tables (read only: the dry run narrows them to their reads), with the campaign and segment
 * definitions and the templates of the working tree. The caller's credentials are used for every read.
 */
export async function dryRunOnAws(target: AwsDryRunTarget, request: DryRunRequest): Promise<AwsDryRunAnswer> {
  const outputs = stackOutputsOf(
    target.outputsFile,
    await readOutputsFile(target.outputsFile),
    target.stackName,
  );
  const names = {
    dispatch: functionNameOf(target.outputsFile, outputs, DRY_RUN_OUTPUTS.dispatchFunction),
    fanOut: functionNameOf(target.outputsFile, outputs, DRY_RUN_OUTPUTS.fanOutPartFunction),
  };
  let lambda = target.lambda;
  if (lambda === undefined) {
    const { LambdaClient } = await import("@aws-sdk/client-lambda");
    lambda = new LambdaClient(target.region === undefined ? {} : { region: target.region });
  }
  const [dispatch, fanOut] = await Promise.all([
    deployedFunction(lambda, names.dispatch),
    deployedFunction(lambda, names.fanOut),
  ]);
  if (target.lambda === undefined) lambda.destroy();
  // The composition roots make their clients as on Lambda, where AWS_REGION is the function's region.
  process.env.AWS_REGION = dispatch.region;
  const root = target.root ?? repositoryRoot;
  const work = mkdtempSync(path.join(tmpdir(), "tailor-dry-run-aws-"));
  try {
    const templatesFile = path.join(work, "compiled-templates.json");
    const dispatchEnv = workingTreeEnvironment(dispatch.variables, { root, templatesFile });
    const emails = dispatchEnv.env.EMAILS_DIR;
    if (emails === undefined) throw new OperationsError(`${names.dispatch} has no EMAILS_DIR`);
    // EMAILS_DIR is `<templates>/emails`; the compiler reads the blocks (and texts, slots) beside it.
    await writeCompiledTemplates(path.dirname(emails), templatesFile);
    const answer = await dryRunWith(
      {
        dispatch: parsed(dispatchEnvSchema, dispatchEnv.env, names.dispatch),
        fanOut: parsed(
          campaignFanOutEnvSchema,
          workingTreeEnvironment(fanOut.variables, { root, templatesFile }).env,
          names.fanOut,
        ),
      },
      request,
    );
    return {
      answer,
      region: dispatch.region,
      functions: names,
      fromWorkingTree: dispatchEnv.fromWorkingTree,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** `env` checked by the function's own schema: a deployed function of another version is named with the problem. */
function parsed<T>(
  schema: {
    safeParse(value: unknown): { success: true; data: T } | { success: false; error: { message: string } };
  },
  env: Record<string, string>,
  name: string,
): T {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new OperationsError(
      `${name}'s environment does not fit this working tree's function (deploy it, or check out what is deployed): ${result.error.message}`,
    );
  }
  return result.data;
}

/** The lines saying where an AWS dry run read what. */
export function awsSourceLines(answer: AwsDryRunAnswer, root: string = repositoryRoot): string[] {
  const local = Object.entries(answer.fromWorkingTree)
    .map(([key, value]) => `${key}=${path.relative(root, value) || "."}`)
    .join(", ");
  return [
    `  on AWS (${answer.region}): the tables, link keys, catalog and models of the deployed ${answer.functions.dispatch} and ${answer.functions.fanOut}, read with your credentials`,
    `  campaign and segment definitions and templates from this working tree, not the deployed bundle: ${local}`,
  ];
}
