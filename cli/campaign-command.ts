import { parseArgs } from "node:util";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { resolveDataDir } from "#infra/local/data-dir.js";
import { LocalStackError } from "#infra/local/local-errors.js";
import { readStackState } from "#infra/local/stack-state.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { FANOUT_OUTPUTS } from "#infra/stack-output-names.js";
import type { FanOutRun } from "#shared/ports.js";
import { executionLines, executionName, startAwsExecution, stateMachineArnOf } from "./aws-execution.js";
import { nothingFound } from "./cli-errors.js";
import { intFlag, quietFunctions, stackOptions, stringFlag } from "./cli-options.js";
import { count, duration } from "./format.js";
import { OperationsError } from "./operations-error.js";
import { DEPLOY_HINT, readOutputsFile, stackOutputsOf } from "./outputs-file.js";
import { openDynamo } from "./stack-access.js";

const USAGE =
  "usage: tailor campaign status <campaign-id> [--occurrence ISO] [--aws [--outputs cdk-outputs.json] [--stack-name Tailor] [--region R]] [--json]\n" +
  "       tailor campaign run <campaign-id> [--occurrence ISO] [--parts N] [--data-dir D]\n" +
  "       tailor campaign run <campaign-id> --aws [--occurrence ISO] [--outputs cdk-outputs.json] [--stack-name Tailor]\n" +
  "       tailor campaign dry-run <campaign-id> [--at ISO] [--sample 5] [--out DIR] [--campaign-file F] [--segment-file F] [--data-dir D] [--json]\n" +
  "       tailor campaign dry-run <campaign-id> --outputs cdk-outputs.json [--stack-name Tailor] [--region R] [--at ISO] [--out DIR] [--json]";

/** The lines `tailor campaign status` prints for a run. */
export function runStatusLines(run: FanOutRun, now: number): string[] {
  const finished = run.finishedAt;
  const state =
    finished !== undefined
      ? `finished in ${duration(finished - run.startedAt)}`
      : run.partsDone === run.parts
        ? "parts done, not finished"
        : `running or stopped for ${duration(now - run.startedAt)}`;
  const lines = [
    `campaign ${run.campaignId}, tick ${run.occurrence}: ${state}` +
      (run.starts > 1 ? ` (started ${run.starts} times)` : ""),
    `  read from ${run.source === "index" ? "the membership index" : "a scan of the profiles"} of segment ${run.segmentId}, ${run.parts} parts: ${run.partsDone} done`,
    ...(run.sourceReason === undefined ? [] : [`  why: ${run.sourceReason}`]),
    `  ${count(run.counts.read)} read, ${count(run.counts.members)} members, ${count(run.counts.enqueued)} enqueued` +
      (run.counts.timed > 0 ? `, ${count(run.counts.timed)} as send timers` : ""),
    `  started ${new Date(run.startedAt).toISOString()}` +
      (finished === undefined ? "" : `, finished ${new Date(finished).toISOString()}`),
  ];
  if (run.errorCount > 0) {
    lines.push(
      `  ${run.errorCount} error(s)${run.errors.length < run.errorCount ? `, the first ${run.errors.length}` : ""}:`,
    );
    for (const error of run.errors) lines.push(`    ${error}`);
  }
  if (finished === undefined && run.partsDone < run.parts) {
    lines.push(`  resume it: npx tailor campaign run ${run.campaignId} --occurrence ${run.occurrence}`);
  }
  return lines;
}

async function readRun(
  client: DynamoDBClient,
  tableName: string,
  campaignId: string,
  occurrence: string | undefined,
): Promise<FanOutRun | undefined> {
  const { DynamoFanOutRuns } = await import("#shared/aws/dynamo-fanout-runs.js");
  const runs = new DynamoFanOutRuns({ client, tableName });
  return occurrence === undefined ? runs.latest(campaignId) : runs.get({ campaignId, occurrence });
}

/** Where the runs are read: the local stack's data dir, or the deployed stack named by the outputs file. */
async function statusCommand(campaignId: string, values: Readonly<Record<string, unknown>>): Promise<number> {
  const occurrence = stringFlag(values.occurrence);
  let run: FanOutRun | undefined;
  if (values.aws === true) {
    const file = stringFlag(values.outputs) ?? "cdk-outputs.json";
    const outputs = stackOutputsOf(
      file,
      await readOutputsFile(file),
      stringFlag(values["stack-name"]) ?? "Tailor",
    );
    const tableName = outputs[FANOUT_OUTPUTS.runsTable];
    if (typeof tableName !== "string") {
      throw new OperationsError(`${file}: no ${FANOUT_OUTPUTS.runsTable} output (${DEPLOY_HINT})`);
    }
    const { DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
    const region = stringFlag(values.region);
    const client = new DynamoDBClient(region === undefined ? {} : { region });
    try {
      run = await readRun(client, tableName, campaignId, occurrence);
    } finally {
      client.destroy();
    }
  } else {
    const dynamo = await openDynamo(stringFlag(values["data-dir"]));
    try {
      run = await readRun(dynamo.client, LOCAL_NAMES.segmentsTable, campaignId, occurrence);
    } finally {
      await dynamo.close();
    }
  }
  if (run === undefined) {
    return nothingFound(
      "campaign",
      `no fan-out run of ${campaignId}${occurrence === undefined ? "" : ` at ${occurrence}`}`,
      `run one: npx tailor campaign run ${campaignId}`,
    );
  }
  process.stdout.write(
    values.json === true
      ? `${JSON.stringify(run, null, 2)}\n`
      : `${runStatusLines(run, Date.now()).join("\n")}\n`,
  );
  return 0;
}

/** `--occurrence`, an ISO time, when given. */
function occurrenceFlag(values: Readonly<Record<string, unknown>>): string | undefined {
  const occurrence = stringFlag(values.occurrence);
  if (occurrence !== undefined && Number.isNaN(Date.parse(occurrence))) {
    throw new OperationsError(`--occurrence: ${occurrence} is not an ISO time such as 2026-11-23T09:00:00Z`);
  }
  return occurrence;
}

/**
 * Runs one tick of a scheduled campaign's fan-out on a local stack of the data dir started here (schedules
 * off): the same workflow the schedule starts. The same `--occurrence` as a run that failed or was stopped
 * resumes it from its parts' checkpoints and sends nobody twice.
 */
async function runCommand(campaignId: string, values: Readonly<Record<string, unknown>>): Promise<number> {
  if (values.aws === true) return awsRunCommand(campaignId, values);
  const dataDir = stringFlag(values["data-dir"]);
  const running = readStackState(resolveDataDir(dataDir));
  if (running !== undefined) {
    throw new LocalStackError(
      `a stack is running on ${resolveDataDir(dataDir)} (pid ${running.pid}): stop it first, then run the campaign (it resumes the same tick)`,
    );
  }
  const occurrence = occurrenceFlag(values);
  const parts = values.parts === undefined ? undefined : intFlag(values.parts, "parts", 4, 1);
  const { startLocalStack } = await import("#infra/local/local-stack.js");
  const stack = await startLocalStack({
    dataDir,
    fresh: false,
    schedules: false,
    log: (line) => process.stderr.write(`${line}\n`),
    env: quietFunctions(values.verbose === true, "WARN"),
  });
  try {
    const started = performance.now();
    let invocations = 0;
    const output = await stack.startExecution(
      LOCAL_NAMES.fanOutStateMachine,
      { campaignId, time: occurrence ?? new Date().toISOString(), ...(parts === undefined ? {} : { parts }) },
      {
        onTask: (outcome) => {
          if (outcome.state === "Part") invocations++;
        },
      },
    );
    await stack.waitUntilIdle({ timeoutMs: 120_000 }).catch(() => {});
    process.stderr.write(
      `fan-out done in ${duration(performance.now() - started)}, ${invocations} part invocations\n`,
    );
    process.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    return 0;
  } finally {
    await stack.stop();
  }
}

/**
 * Starts one tick of a campaign's fan-out on the deployed stack: the workflow the schedule starts, under a name
 * made of the campaign and the tick, so the same tick started twice runs once (its send keys would also keep
 * anyone from receiving it twice).
 */
async function awsRunCommand(campaignId: string, values: Readonly<Record<string, unknown>>): Promise<number> {
  const occurrence = occurrenceFlag(values) ?? new Date().toISOString().slice(0, 16).concat(":00Z");
  const stateMachineArn = await stateMachineArnOf(
    stringFlag(values.outputs) ?? "cdk-outputs.json",
    stringFlag(values["stack-name"]) ?? "Tailor",
    FANOUT_OUTPUTS.stateMachineArn,
  );
  const execution = await startAwsExecution({
    stateMachineArn,
    name: executionName("campaign", campaignId, occurrence),
    input: { campaignId, time: occurrence },
  });
  const lines = executionLines(`campaign ${campaignId}'s tick ${occurrence}`, execution);
  lines.push(`its progress: npx tailor campaign status ${campaignId} --occurrence ${occurrence} --aws`);
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

/** `tailor campaign status|run|dry-run <campaign-id>`: a scheduled campaign's fan-out runs, and dry runs. */
export async function campaignCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      ...stackOptions,
      occurrence: { type: "string" },
      parts: { type: "string" },
      aws: { type: "boolean", default: false },
      outputs: { type: "string" },
      "stack-name": { type: "string" },
      region: { type: "string" },
      json: { type: "boolean", default: false },
      at: { type: "string" },
      sample: { type: "string" },
      out: { type: "string" },
      models: { type: "string" },
      "campaign-file": { type: "string" },
      "segment-file": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [action, campaignId, ...rest] = positionals;
  if (campaignId === undefined || rest.length > 0) throw new OperationsError(USAGE);
  if (action === "status") return statusCommand(campaignId, values);
  if (action === "run") return runCommand(campaignId, values);
  if (action === "dry-run") return (await import("./campaign-dry-run.js")).dryRunCommand(campaignId, values);
  throw new OperationsError(USAGE);
}
