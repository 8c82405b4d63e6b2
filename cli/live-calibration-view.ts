import { existsSync } from "node:fs";
import path from "node:path";
import { DynamoRescoreRuns } from "#functions/rescore/make-deps.js";
import { DEFAULT_CALIBRATION_GAP_THRESHOLD } from "#infra/components/model-drift.js";
import { resolveDataDir } from "#infra/local/data-dir.js";
import { readStackState } from "#infra/local/stack-state.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { liveCalibration, sumCalibrationCounts } from "#shared/domain/models/live-calibration.js";
import { count } from "./format.js";
import { explainMissing, openDynamo } from "./stack-access.js";

/** A model's live calibration as shown (see `LiveCalibration`): the gap over the window, what the last run resolved. */
export interface CalibrationView {
  readonly gap?: number | undefined;
  readonly bias?: number | undefined;
  readonly observations: number;
  readonly used: number;
  /** Runs in the window. */
  readonly runs: number;
  /** Predictions the run resolved (shown by `tailor rescore`). */
  readonly resolved?: number;
}

/** One line per model with its live calibration gap (flagged above the default threshold), or why there is none. */
export function liveCalibrationLines(calibration: Readonly<Record<string, CalibrationView>>): string[] {
  const models = Object.entries(calibration);
  if (models.length === 0) return ["live calibration: no prediction has reached its horizon yet"];
  return models.map(([model, c]) => {
    const tonight = c.resolved === undefined ? "" : `, ${count(c.resolved)} tonight`;
    const window = `${count(c.observations)} resolved over ${count(c.runs)} runs${tonight}`;
    if (c.gap === undefined)
      return `  ${model} calibration: no bin has enough resolved predictions yet (${window})`;
    const bias =
      c.bias === undefined ? "" : `, predicted − observed ${c.bias >= 0 ? "+" : ""}${c.bias.toFixed(3)}`;
    const flag = c.gap > DEFAULT_CALIBRATION_GAP_THRESHOLD ? "  ⚠ miscalibrated" : "";
    return `  ${model} calibration gap ${c.gap.toFixed(3)}${bias} (${window}; ${count(c.used)} in bins counted)${flag}`;
  });
}

/**
 * Each model's live calibration over the window the local stack's last rescoring kept (`rescore`/`last` in the
 * segments table), through the running stack or the data dir; undefined when there is no local stack's data at all.
 */
export async function readLiveCalibration(
  dataDirOption: string | undefined,
): Promise<Record<string, CalibrationView> | undefined> {
  const dataDir = resolveDataDir(dataDirOption);
  if (readStackState(dataDir) === undefined && !existsSync(path.join(dataDir, "dynamodb"))) return undefined;
  const dynamo = await openDynamo(dataDirOption);
  try {
    const runs = new DynamoRescoreRuns({ client: dynamo.client, tableName: LOCAL_NAMES.segmentsTable });
    const last = await runs
      .lastRun()
      .catch((error: unknown) => explainMissing(error, "segments table", dataDir));
    const views: Record<string, CalibrationView> = {};
    for (const [model, window] of Object.entries(last?.calibration ?? {})) {
      views[model] = { ...liveCalibration(sumCalibrationCounts(window)), runs: window.length };
    }
    return views;
  } finally {
    await dynamo.close();
  }
}
