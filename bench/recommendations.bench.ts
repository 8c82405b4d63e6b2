/**
 * The recommendation benchmark: the hold-out evaluation `tailor train` prints (precision@10, recall@10, catalog
 * coverage, distinct lists) for the personal recommender and for the popularity baseline, trained and measured in
 * the same run on the simulator's history through the email rules, as ratios; and the time to rank one customer's
 * candidates, against popularity.
 */
import { pathToFileURL } from "node:url";
import { recommenderLines } from "#cli/train-command.js";
import { buildDataset } from "#shared/app/training/dataset.js";
import { trainRecommender } from "#shared/app/training/index.js";
import { popularItems, recommendItems } from "#shared/domain/models/index.js";
import { simulatedHistory, simulatorCatalogProducts } from "#shared/sim/index.js";

/** Runs `round` until `minMs` have passed (after one warm-up round); rounds per second. */
function perSecond(round: () => void, minMs: number): number {
  round();
  let rounds = 0;
  const started = performance.now();
  while (performance.now() - started < minMs || rounds === 0) {
    round();
    rounds++;
  }
  return (rounds * 1000) / (performance.now() - started);
}

/** Lines to print: the hold-out figures against popularity, and customers ranked per second. */
export async function recommendationsBench(
  opts: { customers?: number; days?: number; seed?: number; minMs?: number } = {},
): Promise<string[]> {
  const { customers = 600, days = 90, seed = 1, minMs = 1000 } = opts;
  const dataset = buildDataset(simulatedHistory({ seed, customers, days }));
  const artifact = trainRecommender(dataset, new Date(0).toISOString(), {
    catalog: simulatorCatalogProducts(seed),
  });
  const holdout = dataset.rows.filter((row) => row.holdout);
  const ours = perSecond(() => {
    for (const row of holdout) recommendItems(artifact, row.signals, 30);
  }, minMs);
  const popular = perSecond(() => {
    for (const row of holdout) popularItems(artifact, { exclude: new Set(row.boughtAt.keys()) }, 30);
  }, minMs);
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  return [
    `recommendations: ${customers} simulated customers × ${days} days (seed ${seed}), cutoff day ${days - 60}`,
    ...recommenderLines(artifact.evaluation),
    `  ranking 30 candidates: ${fmt(ours * holdout.length)} customers/s personal, ${fmt(popular * holdout.length)} customers/s popularity (${(popular / ours).toFixed(1)}× the time)`,
  ];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${(await recommendationsBench()).join("\n")}\n`);
}
