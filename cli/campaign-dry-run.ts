import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type CampaignFanOutEnv, campaignFanOutEnvSchema } from "#functions/campaign-fanout/env.js";
import { makeCampaignFanOutDeps } from "#functions/campaign-fanout/make-deps.js";
import { type DispatchEnv, dispatchEnvSchema } from "#functions/dispatch/env.js";
import { makeDispatchDeps } from "#functions/dispatch/make-deps.js";
import { resolveDataDir } from "#infra/local/data-dir.js";
import { LocalStackError } from "#infra/local/local-errors.js";
import type { LocalStack } from "#infra/local/local-stack.js";
import { readStackState } from "#infra/local/stack-state.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { type DryRunReport, dryRunCampaign } from "#shared/app/dry-run/dry-run-campaign.js";
import { type DryRunChangeReport, dryRunChange } from "#shared/app/dry-run/dry-run-change.js";
import type { DryRunCounts } from "#shared/app/dry-run/dry-run-session.js";
import { intFlag, portsFromFlags, quietFunctions, stringFlag } from "./cli-options.js";
import { proposedDefinitions } from "./dry-run-definitions.js";
import { count } from "./format.js";
import { OperationsError } from "./operations-error.js";

/** What `tailor campaign dry-run` was asked. */
export interface DryRunRequest {
  readonly campaignId: string;
  /** The time decided at (epoch ms). */
  readonly at: number;
  readonly sample?: number;
  /** Changed definitions to compare with the current ones. */
  readonly campaignFile?: string;
  readonly segmentFile?: string;
}

/** A dry run's answer: the campaign's tick, or the difference a changed definition makes. */
export type DryRunAnswer =
  | { readonly kind: "tick"; readonly report: DryRunReport }
  | { readonly kind: "change"; readonly report: DryRunChangeReport };

function environmentOf(stack: Pick<LocalStack, "plan">, name: string): Readonly<Record<string, string>> {
  const fn = stack.plan.functions.find((candidate) => candidate.name === name);
  if (fn === undefined) throw new OperationsError(`the stack's template has no function ${name}`);
  return fn.environment;
}

/** The environments of the two functions a dry run builds its reads from. */
export interface DryRunEnvironments {
  readonly dispatch: DispatchEnv;
  readonly fanOut: CampaignFanOutEnv;
}

/**
 * A dry run on a local stack, in this process: the functions' environments as the stack applies them, then
 * {@link dryRunWith}.
 */
export async function dryRunOnStack(
  stack: Pick<LocalStack, "plan">,
  request: DryRunRequest,
): Promise<DryRunAnswer> {
  return dryRunWith(
    {
      dispatch: dispatchEnvSchema.parse(environmentOf(stack, LOCAL_NAMES.dispatchFunction)),
      fanOut: campaignFanOutEnvSchema.parse(environmentOf(stack, LOCAL_NAMES.fanOutPartFunction)),
    },
    request,
  );
}

/**
 * A dry run from the functions' environments: dispatch's and the fan-out's dependencies built by their own
 * composition roots (so the same tables, templates, link keys, catalog and models are read), narrowed to their
 * reads by the dry run, then {@link dryRunCampaign} or, for changed files, {@link dryRunChange}. Nothing is
 * written.
 */
export async function dryRunWith(envs: DryRunEnvironments, request: DryRunRequest): Promise<DryRunAnswer> {
  const dispatchEnv = envs.dispatch;
  const fanOut = makeCampaignFanOutDeps(envs.fanOut);
  const dispatch = await makeDispatchDeps(dispatchEnv);
  const options = {
    campaignId: request.campaignId,
    at: request.at,
    ...(request.sample === undefined ? {} : { sample: request.sample }),
  };
  if (request.campaignFile !== undefined || request.segmentFile !== undefined) {
    const proposed = proposedDefinitions({
      campaignsDir: dispatchEnv.CAMPAIGNS_DIR,
      segmentsDir: dispatchEnv.SEGMENTS_DIR,
      emailsDir: dispatchEnv.EMAILS_DIR,
      ...(request.campaignFile === undefined ? {} : { campaignFile: request.campaignFile }),
      ...(request.segmentFile === undefined ? {} : { segmentFile: request.segmentFile }),
    });
    return {
      kind: "change",
      report: await dryRunChange({ dispatch, profiles: fanOut.profiles }, proposed, options),
    };
  }
  const report = await dryRunCampaign(
    {
      dispatch,
      profiles: fanOut.profiles,
      memberIndex: fanOut.memberIndex,
      memberIndexStatus: fanOut.memberIndexStatus,
      segmentLibrary: fanOut.segmentLibrary,
    },
    options,
  );
  return { kind: "tick", report };
}

const reasons = (counts: Readonly<Record<string, number>>, label: string): string[] =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([reason, n]) => `    ${label} ${count(n)}: ${reason}`);

/** The counts as lines: who would receive it, per variant, and why the others would not. */
export function countLines(counts: DryRunCounts): string[] {
  const variants = Object.entries(counts.byVariant)
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([variant, n]) => `${variant} ${count(n)}`)
    .join(", ");
  return [
    `  ${count(counts.read)} read, ${count(counts.members)} in the audience, ${count(counts.decided)} decided now` +
      (counts.later > 0 ? ` (${count(counts.later)} later steps wait as send timers)` : ""),
    `  would send ${count(counts.wouldSend)}${variants === "" ? "" : ` (${variants})`}, hold out ${count(counts.heldOut)}`,
    ...(counts.alreadySettled > 0
      ? [`  ${count(counts.alreadySettled)} already settled by an earlier run`]
      : []),
    ...reasons(counts.skipped, "skip"),
    ...reasons(counts.deferred, "defer"),
    ...reasons(counts.failed, "fail"),
    ...reasons(counts.retry, "retry"),
  ];
}

/** The answer as the lines `tailor campaign dry-run` prints. */
export function dryRunLines(answer: DryRunAnswer, samplesDir?: string): string[] {
  if (answer.kind === "tick") {
    const { report } = answer;
    return [
      `dry run of ${report.campaignId}, tick ${report.occurrence} (nothing sent, nothing written)`,
      `  audience ${report.segmentId}, read from ${report.source === "index" ? "the membership index" : "a scan of the profiles"}: ${report.sourceReason}`,
      ...(report.complete
        ? []
        : [`  a sample: stopped by its ${report.stoppedBy ?? "bound"} after ${count(report.read)} read`]),
      ...countLines(report),
      ...(samplesDir === undefined || report.samples.length === 0
        ? []
        : [`  ${report.samples.length} rendered sample(s) in ${samplesDir}`]),
    ];
  }
  const { report } = answer;
  const sample = (ids: readonly string[]) => (ids.length === 0 ? "" : `: ${ids.join(", ")}`);
  return [
    `dry run of ${report.campaignId}, tick ${report.occurrence}: the changed definition against the current one`,
    `current (audience ${report.current.segmentId}):`,
    ...countLines(report.current),
    `proposed (audience ${report.proposed.segmentId}):`,
    ...countLines(report.proposed),
    `entering ${count(report.entering.count)}${sample(report.entering.sample)}`,
    `leaving ${count(report.leaving.count)}${sample(report.leaving.sample)}`,
  ];
}

/** Writes the sample emails into `dir`: per email its HTML, and its subject and text part. */
export function writeSamples(report: DryRunReport, dir: string): void {
  mkdirSync(dir, { recursive: true });
  report.samples.forEach((email, index) => {
    const stem = `${String(index + 1).padStart(2, "0")}-${email.customerId.replace(/[^\w.@-]+/g, "_")}-${email.variant}`;
    writeFileSync(path.join(dir, `${stem}.html`), email.html);
    writeFileSync(
      path.join(dir, `${stem}.txt`),
      `To: ${email.to}\nSubject: ${email.subject}\nVariant: ${email.variant}\n\n${email.text}`,
    );
  });
}

/**
 * `tailor campaign dry-run <id>`: starts the local stack of the data dir here without pollers or schedules (so
 * nothing else runs either), dry-runs, prints, and writes the samples.
 */
export async function dryRunCommand(
  campaignId: string,
  values: Readonly<Record<string, unknown>>,
): Promise<number> {
  const atFlag = stringFlag(values.at);
  const at = atFlag === undefined ? Date.now() : Date.parse(atFlag);
  if (Number.isNaN(at))
    throw new OperationsError(`--at: ${atFlag} is not an ISO time such as 2026-11-23T09:00:00Z`);
  const sample = values.sample === undefined ? undefined : intFlag(values.sample, "sample", 5, 0);
  const campaignFile = stringFlag(values["campaign-file"]);
  const segmentFile = stringFlag(values["segment-file"]);
  const request: DryRunRequest = {
    campaignId,
    at,
    ...(sample === undefined ? {} : { sample }),
    ...(campaignFile === undefined ? {} : { campaignFile }),
    ...(segmentFile === undefined ? {} : { segmentFile }),
  };
  if (values.aws === true || values.outputs !== undefined) return awsDryRunCommand(request, values);
  const dataDir = stringFlag(values["data-dir"]);
  const running = readStackState(resolveDataDir(dataDir));
  if (running !== undefined) {
    throw new LocalStackError(
      `a stack is running on ${resolveDataDir(dataDir)} (pid ${running.pid}): stop it first, then dry-run (nothing in the queues moves meanwhile)`,
    );
  }
  const { startLocalStack } = await import("#infra/local/local-stack.js");
  const stack = await startLocalStack({
    dataDir,
    fresh: false,
    pollers: false,
    schedules: false,
    ports: portsFromFlags(values),
    models: { dir: stringFlag(values.models) },
    log: (line) => {
      if (values.verbose === true) process.stderr.write(`${line}\n`);
    },
    env: quietFunctions(values.verbose === true, "ERROR"),
  });
  try {
    const answer = await dryRunOnStack(stack, request);
    let samplesDir: string | undefined;
    if (answer.kind === "tick" && answer.report.samples.length > 0) {
      samplesDir =
        stringFlag(values.out) ??
        path.join(
          stack.dataDir,
          "dry-runs",
          `${campaignId}-${answer.report.occurrence.replace(/[:.]/g, "-")}`,
        );
      writeSamples(answer.report, samplesDir);
    }
    printAnswer(answer, values, dryRunLines(answer, samplesDir));
    return 0;
  } finally {
    await stack.stop();
  }
}

function printAnswer(answer: DryRunAnswer, values: Readonly<Record<string, unknown>>, lines: string[]): void {
  process.stdout.write(
    values.json === true ? `${JSON.stringify(answer.report, null, 2)}\n` : `${lines.join("\n")}\n`,
  );
}

/**
 * `tailor campaign dry-run <id> --outputs F` (or `--aws`): the deployed stack's tables read with the caller's
 * credentials, the working tree's definitions and templates. Rendered samples hold real customers' data: they are
 * written only where `--out` says.
 */
async function awsDryRunCommand(
  request: DryRunRequest,
  values: Readonly<Record<string, unknown>>,
): Promise<number> {
  const { dryRunOnAws, awsSourceLines } = await import("./dry-run-aws.js");
  const region = stringFlag(values.region);
  const result = await dryRunOnAws(
    {
      outputsFile: stringFlag(values.outputs) ?? "cdk-outputs.json",
      stackName: stringFlag(values["stack-name"]) ?? "Tailor",
      ...(region === undefined ? {} : { region }),
    },
    request,
  );
  const { answer } = result;
  const out = stringFlag(values.out);
  let samplesDir: string | undefined;
  if (answer.kind === "tick" && answer.report.samples.length > 0 && out !== undefined) {
    samplesDir = out;
    writeSamples(answer.report, samplesDir);
  }
  const [first, ...rest] = dryRunLines(answer, samplesDir);
  const lines = [...(first === undefined ? [] : [first]), ...awsSourceLines(result), ...rest];
  if (answer.kind === "tick" && answer.report.samples.length > 0 && out === undefined) {
    lines.push(
      `  ${answer.report.samples.length} rendered sample(s) not written (they hold customers' data): pass --out DIR`,
    );
  }
  printAnswer(answer, values, lines);
  return 0;
}
