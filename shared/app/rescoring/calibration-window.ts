import {
  CALIBRATION_WINDOW_DAYS,
  type CalibrationCounts,
  type LiveCalibration,
  liveCalibration,
  resolvedCount,
  sumCalibrationCounts,
} from "#shared/domain/models/live-calibration.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The predictions one run resolved for one model, per bin, named by the run's start. */
export interface CalibrationRun extends CalibrationCounts {
  readonly at: number;
}

/** A model's resolved predictions of the runs of the last {@link CALIBRATION_WINDOW_DAYS} days, oldest first. */
export type CalibrationWindow = readonly CalibrationRun[];

/** A model's live calibration after a run: the gap over the window, and what the run added. */
export interface ModelCalibration extends LiveCalibration {
  /** Predictions this run resolved. */
  readonly resolved: number;
  /** Runs in the window. */
  readonly runs: number;
  /** Start of the oldest run in the window (epoch ms). */
  readonly since: number;
}

/** The windows to keep with the run, and each model's calibration over its window. */
export interface NextCalibration {
  readonly windows: Record<string, CalibrationWindow>;
  readonly models: Record<string, ModelCalibration>;
}

const rounded = (sums: readonly number[]) => sums.map((sum) => Math.round(sum * 1e4) / 1e4);

/**
 * Adds the run started at `startedAt` (its resolved predictions, `current`) to each model's window and drops the
 * runs older than `windowDays`. A run already in the window (its `Finish` retried) replaces itself, so it is
 * counted once. A run that resolved nothing adds no entry; a model whose window is empty is left out.
 */
export function nextCalibrationWindows(
  previous: Readonly<Record<string, CalibrationWindow>> | undefined,
  current: Readonly<Record<string, CalibrationCounts>>,
  startedAt: number,
  windowDays: number = CALIBRATION_WINDOW_DAYS,
): NextCalibration {
  const windows: Record<string, CalibrationWindow> = {};
  const models: Record<string, ModelCalibration> = {};
  const from = startedAt - windowDays * DAY_MS;
  for (const model of new Set([...Object.keys(previous ?? {}), ...Object.keys(current)])) {
    const kept = (previous?.[model] ?? []).filter((run) => run.at !== startedAt && run.at > from);
    const counts = current[model];
    const resolved = counts === undefined ? 0 : resolvedCount(counts);
    if (counts !== undefined && resolved > 0) {
      kept.push({ at: startedAt, n: [...counts.n], p: rounded(counts.p), y: [...counts.y] });
    }
    kept.sort((a, b) => a.at - b.at);
    const oldest = kept[0];
    if (oldest === undefined) continue;
    windows[model] = kept;
    const live = liveCalibration(sumCalibrationCounts(kept));
    models[model] = { ...live, resolved, runs: kept.length, since: oldest.at };
  }
  return { windows, models };
}
