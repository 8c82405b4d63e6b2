import { createHash } from "node:crypto";
import { OperationsError } from "./operations-error.js";
import { DEPLOY_HINT, readOutputsFile, stackOutputsOf } from "./outputs-file.js";

/** A workflow run started on AWS (or the one already started under the same name). */
export interface AwsExecution {
  readonly executionArn: string;
  /** False when an execution of that name had already finished: it is not started again. */
  readonly started: boolean;
}

/** The longest execution name Step Functions takes. */
const NAME_LIMIT = 80;

/**
 * An execution name from a run's identity (e.g. campaign and tick): Step Functions' allowed characters only,
 * at most 80, and the same for the same parts, so starting the same run twice starts it once (a running
 * execution of that name and input is returned as it is; a finished one is refused).
 */
export function executionName(...parts: readonly string[]): string {
  const plain = parts.join("-").replace(/[^0-9A-Za-z_-]/g, "-");
  if (plain.length <= NAME_LIMIT) return plain;
  const hash = createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 16);
  return `${plain.slice(0, NAME_LIMIT - hash.length - 1)}-${hash}`;
}

const ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:stateMachine:[0-9A-Za-z_-]+$/;

/** The state machine ARN an outputs file names under `outputName`, or an error saying how to deploy it. */
export async function stateMachineArnOf(
  file: string,
  stackName: string,
  outputName: string,
): Promise<string> {
  const arn = stackOutputsOf(file, await readOutputsFile(file), stackName)[outputName];
  if (typeof arn !== "string" || !ARN.test(arn)) {
    throw new OperationsError(`${file}: stack ${stackName} has no ${outputName} output — ${DEPLOY_HINT}`);
  }
  return arn;
}

/**
 * Starts a deployed state machine with the Step Functions client, in the state machine's own region (read from
 * its ARN). A name that already ran to its end is not started again: its execution is returned, `started: false`.
 */
export async function startAwsExecution(options: {
  readonly stateMachineArn: string;
  readonly name: string;
  readonly input: object;
}): Promise<AwsExecution> {
  const region = ARN.exec(options.stateMachineArn)?.[1];
  if (region === undefined)
    throw new OperationsError(`${options.stateMachineArn} is not a state machine ARN`);
  const { SFNClient, StartExecutionCommand, ExecutionAlreadyExists } = await import("@aws-sdk/client-sfn");
  const client = new SFNClient({ region });
  try {
    const out = await client.send(
      new StartExecutionCommand({
        stateMachineArn: options.stateMachineArn,
        name: options.name,
        input: JSON.stringify(options.input),
      }),
    );
    if (out.executionArn === undefined) throw new OperationsError("StartExecution returned no execution ARN");
    return { executionArn: out.executionArn, started: true };
  } catch (error) {
    if (error instanceof ExecutionAlreadyExists) {
      const executionArn = `${options.stateMachineArn.replace(":stateMachine:", ":execution:")}:${options.name}`;
      return { executionArn, started: false };
    }
    throw new OperationsError(
      `StartExecution of ${options.stateMachineArn} failed: ${error instanceof Error ? error.message : String(error)}`,
      error,
    );
  } finally {
    client.destroy();
  }
}

/** The lines that say what was started and how to follow it. */
export function executionLines(what: string, execution: AwsExecution): string[] {
  return [
    execution.started
      ? `started ${what} on AWS: ${execution.executionArn}`
      : `${what} already ran under this name on AWS (not started again): ${execution.executionArn}`,
    `follow it with: aws stepfunctions describe-execution --execution-arn ${execution.executionArn}`,
  ];
}
