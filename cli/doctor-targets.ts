import { z } from "zod";
import { DOCTOR_OUTPUTS } from "#infra/stack-output-names.js";
import { OperationsError } from "./operations-error.js";
import { DEPLOY_HINT, stackOutputsOf } from "./outputs-file.js";

/** What doctor checks, read from the deployed stack's outputs. */
export interface DoctorTargets {
  readonly sendingIdentity: string;
  readonly configurationSetName: string;
  readonly sendRatePerSecond: number;
  /** Model name → SageMaker endpoint name. */
  readonly modelEndpoints: Readonly<Record<string, string>>;
  readonly alarmTopicArn: string;
  readonly eventStreamName: string;
}

const outputsSchema = z.object({
  [DOCTOR_OUTPUTS.sendingIdentity]: z.string().min(1),
  [DOCTOR_OUTPUTS.configurationSetName]: z.string().min(1),
  [DOCTOR_OUTPUTS.sendRatePerSecond]: z.coerce.number().positive(),
  [DOCTOR_OUTPUTS.modelEndpoints]: z.string().min(2),
  [DOCTOR_OUTPUTS.alarmTopicArn]: z.string().startsWith("arn:"),
  [DOCTOR_OUTPUTS.eventStreamName]: z.string().min(1),
});

const endpointsSchema = z.record(z.string(), z.string().min(1));

/**
 * The targets in the outputs of `stackName`, from the JSON that `cdk deploy --outputs-file F` writes
 * (`{ "<stack>": { "<output>": "<value>" } }`). Names the file, the stack and each missing or bad output.
 */
export function doctorTargetsFromOutputs(file: string, json: unknown, stackName: string): DoctorTargets {
  const outputs = stackOutputsOf(file, json, stackName);
  const missing = Object.values(DOCTOR_OUTPUTS).filter((name) => outputs[name] === undefined);
  if (missing.length > 0) {
    throw new OperationsError(
      `${file}: stack ${stackName} lacks the outputs doctor reads: ${missing.join(", ")} — redeploy this version (${DEPLOY_HINT})`,
    );
  }
  const parsed = outputsSchema.safeParse(outputs);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new OperationsError(
      `${file}: stack ${stackName} has outputs doctor cannot read (${problems.join("; ")})`,
    );
  }
  const o = parsed.data;
  const endpoints = endpointsSchema.safeParse(parseJson(o[DOCTOR_OUTPUTS.modelEndpoints]));
  if (!endpoints.success) {
    throw new OperationsError(
      `${file}: output ${DOCTOR_OUTPUTS.modelEndpoints} must be a JSON object of model → endpoint name`,
    );
  }
  return {
    sendingIdentity: o[DOCTOR_OUTPUTS.sendingIdentity],
    configurationSetName: o[DOCTOR_OUTPUTS.configurationSetName],
    sendRatePerSecond: o[DOCTOR_OUTPUTS.sendRatePerSecond],
    modelEndpoints: endpoints.data,
    alarmTopicArn: o[DOCTOR_OUTPUTS.alarmTopicArn],
    eventStreamName: o[DOCTOR_OUTPUTS.eventStreamName],
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The region of an ARN (`arn:aws:sns:eu-west-1:…` → `eu-west-1`), if it has one. */
export function regionOfArn(arn: string): string | undefined {
  const region = arn.split(":")[3];
  return region === undefined || region === "" ? undefined : region;
}
