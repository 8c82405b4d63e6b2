import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { LocalStackError } from "#infra/local/local-errors.js";
import { localRegistry } from "#infra/local/model-server-runner.js";
import {
  isRegistryModel,
  type ModelVersionRecord,
  REGISTRY_MODELS,
  type RegistryModel,
} from "#shared/domain/models/registry.js";
import { stringFlag } from "./cli-options.js";
import { liveCalibrationLines, readLiveCalibration } from "./live-calibration-view.js";

const fixed = (n: number | null | undefined, digits = 3) =>
  n === null || n === undefined || !Number.isFinite(n) ? "—" : n.toFixed(digits);

/** One model's versions and the one in service. */
export interface ModelListing {
  readonly model: RegistryModel;
  readonly current: string | null;
  readonly versions: readonly ModelVersionRecord[];
}

/** The lines of one version: what it was trained on, its hold-out figures, its decision. */
export function versionLines(record: ModelVersionRecord, current: string | null): string[] {
  const e = record.evaluation;
  const mark = record.version === current ? "* " : "  ";
  const lines = [
    `${mark}${record.version}  ${record.format}, ${record.source}, trained ${record.trainedAt}, ` +
      `${record.format === "item-cooccurrence-json" ? "baskets before" : "features as of"} ${record.cutoff}`,
  ];
  if (e !== undefined && record.format === "item-cooccurrence-json") {
    const popularity = e.baselines.popularity;
    lines.push(
      `    hold-out ${e.holdoutRows} customers${e.holdoutCutoff === undefined ? "" : ` as of ${e.holdoutCutoff}`}` +
        `${e.scoredCustomers === undefined ? "" : `, ${e.scoredCustomers} bought something new`}: ` +
        `precision@10 ${fixed(e.precisionAt10)} (popularity ${fixed(popularity?.precisionAt10)}), ` +
        `recall@10 ${fixed(e.recallAt10)} (popularity ${fixed(popularity?.recallAt10)}), coverage ${fixed(e.coverage)}`,
    );
  } else if (e !== undefined) {
    const recency = e.baselines.recency?.rocAuc;
    lines.push(
      `    hold-out ${e.holdoutRows} rows${e.holdoutCutoff === undefined ? "" : ` as of ${e.holdoutCutoff}`}: ` +
        `ROC-AUC ${fixed(e.rocAuc)} (recency ${fixed(recency)}), average precision ${fixed(e.averagePrecision)}, ` +
        `Brier ${fixed(e.brier, 4)}`,
    );
    const bins = (e.calibration ?? []).filter((bin) => bin.count > 0);
    if (bins.length > 0)
      lines.push(
        `    calibration ${bins.map((bin) => `${fixed(bin.meanPredicted, 2)}→${fixed(bin.observed, 2)} (${bin.count})`).join("  ")}`,
      );
  }
  if (record.decision !== undefined)
    lines.push(`    ${record.decision.promoted ? "promoted" : "refused"}: ${record.decision.reason}`);
  return lines;
}

/**
 * `tailor models [--json] [--model m] [--dir .tailor/models] [--data-dir d]`: the registry's versions of each model
 * with their hold-out evaluation and promotion decision; `*` marks the version in service. Without `--json`, when
 * there is a local stack, also each propensity model's live calibration kept by its last nightly rescoring.
 */
export async function modelsCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      json: { type: "boolean", default: false },
      model: { type: "string" },
      dir: { type: "string" },
      "data-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length > 0)
    throw new LocalStackError("usage: tailor models [--json] [--model m] [--dir folder] [--data-dir folder]");
  const asked = stringFlag(values.model);
  if (asked !== undefined && !isRegistryModel(asked))
    throw new LocalStackError(`--model: one of ${REGISTRY_MODELS.join(", ")}`);
  const registry = localRegistry(resolve(stringFlag(values.dir) ?? ".tailor/models"));
  const listings: ModelListing[] = [];
  for (const model of asked === undefined ? REGISTRY_MODELS : [asked]) {
    const [versions, current] = await Promise.all([registry.listVersions(model), registry.current(model)]);
    listings.push({ model, current: current?.version ?? null, versions });
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify(listings, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [];
  for (const listing of listings) {
    lines.push(
      `${listing.model}: ${listing.versions.length} version(s), in service: ${listing.current ?? "none"}`,
    );
    for (const record of listing.versions) lines.push(...versionLines(record, listing.current));
    lines.push("");
  }
  if (listings.every((listing) => listing.versions.length === 0))
    lines.push("no model in the registry yet: npx tailor train (or npx tailor train --from-stack)");
  // The local stack's last rescoring, when there is a local stack: predicted against what happened since.
  const calibration = await readLiveCalibration(stringFlag(values["data-dir"]));
  if (calibration !== undefined) {
    const shown = Object.fromEntries(
      Object.entries(calibration).filter(([model]) => asked === undefined || model === asked),
    );
    if (Object.keys(shown).length > 0)
      lines.push("live calibration (the local stack's last nightly rescoring, over 14 days):");
    lines.push(...liveCalibrationLines(shown));
  }
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
