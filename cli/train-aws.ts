import { parseArgs } from "node:util";
import type { SFNClient } from "@aws-sdk/client-sfn";
import { MODEL_OUTPUTS } from "#infra/stack-output-names.js";
import { stringFlag } from "./cli-options.js";
import { OperationsError } from "./operations-error.js";
import { DEPLOY_HINT, readOutputsFile, stackOutputsOf } from "./outputs-file.js";

const USAGE =
  "usage: tailor train --aws [--outputs cdk-outputs.json] [--stack-name Tailor] [--region R] [--cutoff ISO] [--wait]";

/** Between two looks at a run `--wait` follows. */
const POLL_MS = 15_000;

/** Whether `argv` asks for the training workflow on AWS (`--aws`), which {@link trainOnAws} runs. */
export function wantsAws(argv: readonly string[]): boolean {
  return argv.includes("--aws");
}

/** What {@link trainOnAws} needs besides its arguments: the client (a test passes its own), a clock to wait. */
export interface TrainOnAwsDeps {
  readonly client?: SFNClient;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly write?: (text: string) => void;
}

/**
 * `tailor train --aws`: starts the deployed stack's training workflow (named by the outputs file `cdk deploy
 * --outputs-file` wrote) with `{ trigger: "cli", cutoff? }` and prints the execution's ARN and where to follow it;
 * with `--wait`, follows it to the end and prints each model's decision. Exit code 1 when the run did not succeed.
 */
export async function trainOnAws(argv: readonly string[], deps: TrainOnAwsDeps = {}): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      aws: { type: "boolean", default: false },
      outputs: { type: "string" },
      "stack-name": { type: "string" },
      region: { type: "string" },
      cutoff: { type: "string" },
      wait: { type: "boolean", default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0 || !values.aws) throw new OperationsError(USAGE);
  const cutoff = stringFlag(values.cutoff);
  if (cutoff !== undefined && (!/^\d{4}-\d{2}-\d{2}/.test(cutoff) || Number.isNaN(Date.parse(cutoff)))) {
    throw new OperationsError(`--cutoff: an ISO date (e.g. 2026-11-01), got ${cutoff}`);
  }
  const file = stringFlag(values.outputs) ?? "cdk-outputs.json";
  const outputs = stackOutputsOf(
    file,
    await readOutputsFile(file),
    stringFlag(values["stack-name"]) ?? "Tailor",
  );
  const arn = outputs[MODEL_OUTPUTS.trainingStateMachineArn];
  if (typeof arn !== "string") {
    throw new OperationsError(`${file}: no ${MODEL_OUTPUTS.trainingStateMachineArn} output — ${DEPLOY_HINT}`);
  }
  const sfn = await import("@aws-sdk/client-sfn");
  const region = stringFlag(values.region);
  const client = deps.client ?? new sfn.SFNClient(region === undefined ? {} : { region });
  const write = deps.write ?? ((text: string) => process.stdout.write(text));
  try {
    const input = { trigger: "cli", ...(cutoff === undefined ? {} : { cutoff }) };
    const started = await client.send(
      new sfn.StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(input) }),
    );
    const execution = started.executionArn;
    if (execution === undefined) throw new OperationsError("Step Functions returned no execution ARN");
    const consoleRegion = execution.split(":")[3] ?? region ?? "";
    write(
      [
        `training workflow started: ${execution}`,
        `  follow it: https://${consoleRegion}.console.aws.amazon.com/states/home?region=${consoleRegion}#/v2/executions/details/${execution}`,
        `  or: aws stepfunctions describe-execution --execution-arn ${execution}`,
        "",
      ].join("\n"),
    );
    if (!values.wait) return 0;
    const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
    for (;;) {
      const described = await client.send(new sfn.DescribeExecutionCommand({ executionArn: execution }));
      if (described.status !== "RUNNING" && described.status !== "PENDING_REDRIVE") {
        write(
          `${finishedLines(described.status ?? "UNKNOWN", described.output, described.cause).join("\n")}\n`,
        );
        return described.status === "SUCCEEDED" ? 0 : 1;
      }
      await sleep(POLL_MS);
    }
  } finally {
    if (deps.client === undefined) client.destroy();
  }
}

/** The end of a run: its status, and each model's decision (or why it failed). */
export function finishedLines(
  status: string,
  output: string | undefined,
  cause: string | undefined,
): string[] {
  if (status !== "SUCCEEDED")
    return [`training workflow ${status.toLowerCase()}${cause ? `: ${cause}` : ""}`];
  const lines = ["training workflow succeeded"];
  const parsed: unknown = output === undefined ? undefined : JSON.parse(output);
  const results = isRecord(parsed) && Array.isArray(parsed.results) ? parsed.results : [];
  for (const result of results) {
    if (!isRecord(result) || typeof result.model !== "string") continue;
    const evaluation = isRecord(result.evaluation) ? result.evaluation : {};
    const candidate = isRecord(result.candidate) ? result.candidate : {};
    const verdict = evaluation.promote === true ? "promoted" : "not promoted";
    const reason = typeof evaluation.reason === "string" ? `: ${evaluation.reason}` : "";
    lines.push(`  ${result.model} ${String(candidate.version ?? "?")} ${verdict}${reason}`);
  }
  return lines;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
