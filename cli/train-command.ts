import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { LocalStackError } from "#infra/local/local-errors.js";
import type { PropensityEvaluation } from "#shared/app/training/evaluate-propensity.js";
import type { RecommenderEvaluation } from "#shared/app/training/evaluate-recommender.js";
import { trainAll } from "#shared/app/training/index.js";
import { simulatedHistory, simulatorCatalogProducts } from "#shared/sim/index.js";
import { intFlag, stringFlag } from "./cli-options.js";

const fixed = (n: number, digits = 3) => (Number.isFinite(n) ? n.toFixed(digits) : "—");

function propensityLines(title: string, e: PropensityEvaluation): string[] {
  const lines = [
    `${title} (hold-out: ${e.holdoutRows} customers, ${fixed(100 * e.holdoutPositiveRate, 1)} % positive)`,
    `  ROC-AUC            ${fixed(e.rocAuc)}   recency-only baseline ${fixed(e.baseline.rocAuc)}`,
    `  average precision  ${fixed(e.averagePrecision)}   recency-only baseline ${fixed(e.baseline.averagePrecision)}`,
    `  Brier score        ${fixed(e.brier)}`,
    "  calibration        predicted → observed (customers)",
  ];
  for (const bin of e.calibration) {
    if (bin.count === 0) continue;
    lines.push(`    ${fixed(bin.meanPredicted, 2)} → ${fixed(bin.observed, 2)}  (${bin.count})`);
  }
  return lines;
}

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

/**
 * `tailor train [--customers 600] [--days 90] [--seed 1] [--out .tailor/models]`: trains the purchase-in-30-days
 * and churn models and the recommender on the simulator's history, prints their hold-out evaluation against the
 * baselines, and writes the model artifacts (JSON) the model server loads.
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
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0) {
    throw new LocalStackError("usage: tailor train [--customers N] [--days D] [--seed S] [--out folder]");
  }
  const customers = intFlag(values.customers, "customers", 600);
  const days = intFlag(values.days, "days", 90);
  const seed = intFlag(values.seed, "seed", 1, Number.MIN_SAFE_INTEGER);
  if (days < 90) {
    throw new LocalStackError("--days: at least 90 (features as of day 30, then up to 60 days of labels)");
  }
  process.stderr.write(`training on ${customers} simulated customers over ${days} days (seed ${seed})…\n`);
  const started = performance.now();
  const { artifacts, evaluation } = trainAll({
    ...simulatedHistory({ seed, customers, days }),
    catalog: simulatorCatalogProducts(seed),
  });
  const out = resolve(stringFlag(values.out) ?? ".tailor/models");
  await mkdir(out, { recursive: true });
  await Promise.all([
    writeFile(join(out, "purchase_30d.json"), `${JSON.stringify(artifacts.purchase, null, 2)}\n`),
    writeFile(join(out, "churn_60d.json"), `${JSON.stringify(artifacts.churn, null, 2)}\n`),
    writeFile(join(out, "recommendations.json"), `${JSON.stringify(artifacts.recommender)}\n`),
  ]);
  const r = evaluation.recommender;
  const lines = [
    `trained in ${((performance.now() - started) / 1000).toFixed(1)} s; features as of ${evaluation.cutoff}, labels after it`,
    "",
    ...propensityLines("purchase in the next 30 days", evaluation.purchase),
    "",
    ...propensityLines("churn (no activity in the next 60 days)", evaluation.churn),
    "",
    ...recommenderLines(r),
    "",
    `model artifacts written to ${out} (purchase_30d.json, churn_60d.json, recommendations.json)`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
