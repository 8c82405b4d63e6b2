import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { liveCalibrationLines, readLiveCalibration } from "#cli/live-calibration-view.js";
import { DynamoRescoreRuns } from "#functions/rescore/make-deps.js";
import { LOCAL_NAMES } from "#infra/local-names.js";
import { countPrediction, emptyCalibrationCounts } from "#shared/domain/models/live-calibration.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";

const dataDir = mkdtempSync(path.join(tmpdir(), "tailor-calibration-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Writes `run` as the last rescoring run into a persisted dynalite under the data dir, then closes it. */
async function persistLastRun(write: (runs: DynamoRescoreRuns) => Promise<void>): Promise<void> {
  const { client, stop } = await startDynalite(path.join(dataDir, "dynamodb"));
  try {
    await createTable(client, LOCAL_NAMES.segmentsTable, "pk", "sk");
    await write(new DynamoRescoreRuns({ client, tableName: LOCAL_NAMES.segmentsTable }));
  } finally {
    await stop();
  }
}

describe("tailor models' live calibration, read from the local stack's data dir", () => {
  it("has nothing to say without a local stack, and sums the kept window per model with one", async () => {
    expect(await readLiveCalibration(path.join(dataDir, "none"))).toBeUndefined();

    const counts = (p: number, n: number, y: number) => {
      const c = emptyCalibrationCounts();
      for (let i = 0; i < n; i++) countPrediction(c, p, i < y ? 1 : 0);
      return c;
    };
    await persistLastRun((runs) =>
      runs.putLastRun({
        startedAt: 2,
        finishedAt: 3,
        histograms: {},
        calibration: {
          purchase_30d: [
            { at: 1, ...counts(0.25, 40, 10) },
            { at: 2, ...counts(0.25, 40, 0) },
          ],
        },
      }),
    );
    const views = await readLiveCalibration(dataDir);

    // 80 predictions of 0.25, 10 came true: a gap of 0.125 over the two runs of the window.
    expect(views?.purchase_30d).toMatchObject({ observations: 80, used: 80, runs: 2, bins: 1 });
    expect(views?.purchase_30d?.gap).toBeCloseTo(0.125, 9);
    expect(liveCalibrationLines(views ?? {}).join("\n")).toMatch(
      /purchase_30d calibration gap 0\.125, predicted − observed \+0\.125 \(80 resolved over 2 runs; 80 in bins counted\) +⚠/,
    );
  });
});
