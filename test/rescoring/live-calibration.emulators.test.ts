import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoRescoreRuns } from "#functions/rescore/make-deps.js";
import { ingestBatch } from "#shared/app/ingest-batch.js";
import { finishRescoreRun, sliceResultSchema } from "#shared/app/rescoring/finish-run.js";
import { type RescoreDeps, type RescoreSummary, rescoreSlice } from "#shared/app/rescoring/index.js";
import { FEATURE_NAMES } from "#shared/domain/features/index.js";
import { createObservability } from "#shared/lambda/middleware.js";
import { emitLiveCalibration } from "#shared/lambda/reports/rescore-report.js";
import type { Scorer } from "#shared/ports.js";
import { DAY, harness, order, T0, viewProduct } from "../app/segment-harness.js";
import { createTable, startDynalite } from "../support/dynamo-table.js";
import { captureEmf } from "../support/emf-records.js";

const MODELS = ["purchase_30d", "churn_60d"];
const HAS_ORDERED = FEATURE_NAMES.indexOf("has_ordered");
const BUYERS = 60;
const VIEWERS = 60;

/** Customers who ordered get 0.85 for a purchase in 30 days, the others 0.15; churn 0.3 for everyone. */
class FixedScorer implements Scorer {
  async score(model: string, rows: readonly number[][]): Promise<number[]> {
    if (model === "churn_60d") return rows.map(() => 0.3);
    return rows.map((row) => (row[HAS_ORDERED] === 1 ? 0.85 : 0.15));
  }
}

const dynalite: { client?: DynamoDBClient; stop?: () => Promise<void> } = {};
const tableName = "segments";

beforeAll(async () => {
  Object.assign(dynalite, await startDynalite());
  if (dynalite.client !== undefined) await createTable(dynalite.client, tableName, "pk", "sk");
});
afterAll(() => dynalite.stop?.());

/** The slice's summary as the state machine hands it to Finish: JSON, parsed by Finish's schema. */
const asStateMachineJson = (summary: RescoreSummary) =>
  sliceResultSchema.parse(JSON.parse(JSON.stringify(summary)));

describe("live calibration through rescoring, the run kept on dynalite", () => {
  it("resolves each prediction once when a slice is retried and Finish runs twice, and emits CalibrationGap", async () => {
    // Arrange: 60 buyers (scored 0.85) and 60 who only viewed (0.15), rescored on the first night.
    const h = harness();
    await ingestBatch(h.ingest(), [
      ...Array.from({ length: BUYERS }, (_, i) => order(`b-${i}`, T0 - 5 * DAY)),
      ...Array.from({ length: VIEWERS }, (_, i) => viewProduct(`v-${i}`, T0 - DAY)),
    ]);
    const deps: RescoreDeps = { ...h.batch(), scorer: new FixedScorer() };
    const slice = { segment: 0, totalSegments: 1 };
    const night = (run: number) => rescoreSlice(deps, slice, { models: MODELS, batchSize: 25, run });
    const client = dynalite.client;
    if (client === undefined) throw new Error("dynalite did not start");
    const runs = new DynamoRescoreRuns({ client, tableName });
    const finishDeps = { runs, clock: h.clock };

    const first = await night(T0);
    expect(first.calibration.purchase_30d?.n.reduce((a, b) => a + b, 0)).toBe(0);
    expect(h.profiles.items.get("b-0")?.profile.cb?.purchase_30d).toEqual({ p: 0.85, at: T0 });

    // Within the 30 days: half of the buyers order again (0.85 promised, 0.5 came), 9 viewers order (0.15, calibrated).
    h.clock.at = T0 + 20 * DAY;
    await ingestBatch(h.ingest(), [
      ...Array.from({ length: BUYERS / 2 }, (_, i) => order(`b-${i}`, T0 + 10 * DAY)),
      ...Array.from({ length: 9 }, (_, i) => order(`v-${i}`, T0 + 12 * DAY)),
    ]);

    // Act: the night after the horizon; the first attempt crashes after 50 profile writes, Step Functions retries.
    const run = T0 + 31 * DAY;
    h.clock.at = run;
    let writes = 0;
    h.profiles.beforePut = () => {
      writes++;
      if (writes > 50) throw new Error("the function timed out");
    };
    await expect(night(run)).rejects.toThrow(/timed out/);
    h.profiles.beforePut = undefined;
    h.clock.at = run + 60_000;
    const retried = await night(run);
    const summaries = [asStateMachineJson(retried)];
    await finishRescoreRun(finishDeps, { startedAt: run, summaries });
    const report = await finishRescoreRun(finishDeps, { startedAt: run, summaries }); // Finish retried

    // Assert: every prediction resolved exactly once, the 50 written by the crashed attempt included.
    const counts = retried.calibration.purchase_30d;
    expect(counts?.n).toEqual([0, VIEWERS, 0, 0, 0, 0, 0, 0, BUYERS, 0]);
    expect(counts?.y).toEqual([0, 9, 0, 0, 0, 0, 0, 0, BUYERS / 2, 0]);
    expect(retried.calibration.churn_60d?.n.reduce((a, b) => a + b, 0)).toBe(0); // its horizon is 60 days
    const stored = await runs.lastRun();
    expect(stored?.calibration?.purchase_30d).toHaveLength(1);
    expect(stored?.calibration?.churn_60d).toBeUndefined();
    // Expected calibration error: (60 · |0.85 − 0.5| + 60 · |0.15 − 0.15|) / 120.
    expect(report.liveCalibration.purchase_30d?.gap).toBeCloseTo(0.175, 6);
    expect(report.liveCalibration.purchase_30d).toMatchObject({ observations: 120, resolved: 120, runs: 1 });

    const observability = createObservability({ serviceName: "rescore", namespace: "Tailor" });
    // What reportFinish publishes for it (its log lines aside).
    const records = captureEmf(() => emitLiveCalibration(observability.metrics, report.liveCalibration));
    const gaps = records.filter((record) => "CalibrationGap" in record);
    expect(gaps.map((record) => [record.model, record.service, record.CalibrationGap])).toEqual([
      ["purchase_30d", "rescore", report.liveCalibration.purchase_30d?.gap],
    ]);

    // The next night resolves nothing new (every prediction is fresh): the window still says the same.
    h.clock.at = run + DAY;
    const quiet = await night(run + DAY);
    const after = await finishRescoreRun(finishDeps, { startedAt: run + DAY, summaries: [quiet] });
    expect(quiet.calibration.purchase_30d?.n.reduce((a, b) => a + b, 0)).toBe(0);
    expect(after.liveCalibration.purchase_30d).toMatchObject({ observations: 120, resolved: 0, runs: 1 });
  });
});
