import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { FileTrainingObjects } from "#infra/local/file-training-objects.js";
import { LocalStackError } from "#infra/local/local-errors.js";
import { localRegistry } from "#infra/local/model-server-runner.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import type { RecommenderEvaluation } from "#shared/app/training/evaluate-recommender.js";
import { trainAll } from "#shared/app/training/index.js";
import { runTrainingWorkflow } from "#shared/app/training/run-training-workflow.js";
import { S3EventArchive } from "#shared/aws/s3-event-archive.js";
import { S3TrainingObjects } from "#shared/aws/s3-model-registry.js";
import { ARCHIVE_PREFIX } from "#shared/domain/events/archived-record.js";
import { DAY_MS } from "#shared/domain/profile/index.js";
import { systemClock } from "#shared/ports.js";
import {
  archivedSimRecord,
  memoryArchive,
  simulatedHistory,
  simulatorCatalogProducts,
} from "#shared/sim/index.js";
import { intFlag, stringFlag } from "./cli-options.js";
import { openS3 } from "./stack-access.js";
import { trainFromStack } from "./train-from-stack.js";
import { workflowExitCode, workflowLines } from "./train-workflow-report.js";

const fixed = (n: number, digits = 3) => (Number.isFinite(n) ? n.toFixed(digits) : "—");

/** The recommender's hold-out figures against the popularity baseline, with their ratios. */
export function recommenderLines(r: RecommenderEvaluation): string[] {
  const ratio = (ours: number, base: number) => (base > 0 ? `${fixed(ours / base, 2)}×` : "—");
  const row = (name: string, ours: number, base: number) =>
    `  ${name.padEnd(16)}${fixed(ours).padStart(7)}   popularity ${fixed(base)}   ${ratio(ours, base)}`;
  return [
    `recommender (hold-out: ${r.listed} customers given a list, ${r.customers} of them bought something new; ${r.products} products in stock)`,
    row("precision@10", r.precisionAt10, r.baseline.precisionAt10),
    row("recall@10", r.recallAt10, r.baseline.recallAt10),
    row("coverage", r.coverage, r.baseline.coverage),
    row("distinct lists", r.distinctLists, r.baseline.distinctLists),
  ];
}

const USAGE =
  "usage: tailor train [--customers N] [--days D] [--seed S] [--out folder]\n" +
  "       tailor train --from-stack [--data-dir D] [--cutoff ISO] [--holdout-cutoff ISO] [--out folder]";

/**
 * `tailor train [--customers 600] [--days 90] [--seed 1] [--out .tailor/models]`: trains the purchase-in-30-days
 * and churn models (XGBoost, through the training workflow's steps: registry versions evaluated on a later
 * hold-out, promoted or refused) and the recommender on the simulator's history, prints their hold-out evaluation
 * against the baselines, and writes the artifacts the model server loads.
 *
 * `tailor train --from-stack [--data-dir D] [--cutoff ISO]`: the same workflow on the local stack's own raw event
 * archive. Exit code 3 when a candidate was refused (the model in service stays).
 */
export async function trainCommand(argv: readonly string[]): Promise<number> {
  const aws = await import("./train-aws.js");
  if (aws.wantsAws(argv)) return aws.trainOnAws(argv);
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      customers: { type: "string" },
      days: { type: "string" },
      seed: { type: "string" },
      out: { type: "string" },
      "from-stack": { type: "boolean", default: false },
      "data-dir": { type: "string" },
      cutoff: { type: "string" },
      "holdout-cutoff": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) throw new LocalStackError(USAGE);
  const out = resolve(stringFlag(values.out) ?? ".tailor/models");
  const trainingDir = join(dirname(out), "training");
  if (values["from-stack"]) {
    const given = ["customers", "days", "seed"].filter((flag) => Reflect.get(values, flag) !== undefined);
    if (given.length > 0)
      throw new LocalStackError(`--from-stack learns from the stack: --${given.join(", --")} do not apply`);
    return fromStack(values, out, trainingDir);
  }
  const customers = intFlag(values.customers, "customers", 600);
  const days = intFlag(values.days, "days", 90);
  const seed = intFlag(values.seed, "seed", 1, Number.MIN_SAFE_INTEGER);
  if (days < 90) {
    throw new LocalStackError("--days: at least 90 (features as of day 30, then up to 60 days of labels)");
  }
  process.stderr.write(`training on ${customers} simulated customers over ${days} days (seed ${seed})…\n`);
  const started = performance.now();
  const sim = simulatedHistory({ seed, customers, days });
  const records = [...sim.history];
  const { artifacts, evaluation } = trainAll({
    ...sim,
    history: records,
    catalog: simulatorCatalogProducts(seed),
  });
  await mkdir(out, { recursive: true });
  // The logistic models stay as the fallback served while no XGBoost version of a model is in service.
  await Promise.all([
    writeFile(join(out, "purchase_30d.json"), `${JSON.stringify(artifacts.purchase, null, 2)}\n`),
    writeFile(join(out, "churn_60d.json"), `${JSON.stringify(artifacts.churn, null, 2)}\n`),
    writeFile(join(out, "recommendations.json"), `${JSON.stringify(artifacts.recommender)}\n`),
  ]);
  const iso = (day: number) => new Date(sim.start + day * DAY_MS).toISOString();
  const workflow = await runTrainingWorkflow(
    {
      archive: memoryArchive(records.map((record, i) => archivedSimRecord(record, i + 1))),
      objects: new FileTrainingObjects(trainingDir, "training/"),
      registry: localRegistry(out),
      clock: systemClock,
      source: "simulator",
    },
    // Training features as of day days−60, the hold-out's 30 days later, labels up to 30 days after each.
    { from: iso(0), to: iso(days), cutoff: iso(days - 60), holdoutCutoff: iso(days - 30) },
  );
  const lines = [
    `trained in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    "",
    ...workflowLines(workflow),
    "",
    `recommender (features as of ${evaluation.cutoff}, labels after it):`,
    ...recommenderLines(evaluation.recommender),
    "",
    `model registry: ${out} (<model>/<version>/model.tar.gz, version.json, current.json); fallback artifacts ` +
      "purchase_30d.json, churn_60d.json (logistic), recommendations.json",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return workflowExitCode(workflow);
}

async function fromStack(
  values: {
    readonly "data-dir"?: string | undefined;
    readonly cutoff?: string | undefined;
    readonly "holdout-cutoff"?: string | undefined;
  },
  out: string,
  trainingDir: string,
): Promise<number> {
  const cutoff = isoFlag(values.cutoff, "cutoff");
  const holdoutCutoff = isoFlag(values["holdout-cutoff"], "holdout-cutoff");
  const access = await openS3(values["data-dir"]);
  try {
    const archiveKeys = await new S3TrainingObjects({
      client: access.client,
      bucketName: LOCAL_NAMES.archiveBucket,
    }).list(ARCHIVE_PREFIX);
    const report = await trainFromStack({
      archive: new S3EventArchive({ client: access.client, bucketName: LOCAL_NAMES.archiveBucket }),
      archiveKeys,
      modelsDir: out,
      trainingDir,
      ...(cutoff === undefined ? {} : { cutoff }),
      ...(holdoutCutoff === undefined ? {} : { holdoutCutoff }),
      now: () => Date.now(),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    const lines = [
      ...workflowLines(report),
      "",
      `model registry: ${out}; the model server serves the versions in service from its next start (tailor rescore, tailor up)`,
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
    return workflowExitCode(report);
  } finally {
    await access.close();
  }
}

function isoFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new LocalStackError(`--${flag}: an ISO 8601 time, e.g. 2026-11-20T00:00:00Z`);
  return ms;
}
