import { describe, expect, it } from "vitest";
import {
  estimateFanOut,
  estimateRescoring,
  RESCORE_ASSUMED,
  rescoreCostLines,
  SCALE_ASSUMED,
} from "#bench/scale-cost.js";
import { runStatusLines } from "#cli/campaign-command.js";
import { DEFAULT_TOTAL_SEGMENTS, planRescoreRun } from "#shared/app/rescoring/plan-run.js";
import type { FanOutRun } from "#shared/ports.js";

const RUN: FanOutRun = {
  campaignId: "newsletter",
  occurrence: "2026-11-23T09:00:00.000Z",
  source: "scan",
  segmentId: "high-engagement",
  parts: 4,
  startedAt: Date.parse("2026-11-23T09:00:05Z"),
  starts: 2,
  counts: { read: 61, members: 21, enqueued: 21, timed: 0 },
  partsDone: 3,
  errors: ["part 2: DependencyUnavailableError: Scan on tailor-profiles failed"],
  errorCount: 3,
};

describe("tailor campaign status", () => {
  it("says how far a stopped run got, its errors, and how to resume it", () => {
    const lines = runStatusLines(RUN, RUN.startedAt + 90_000);
    expect(lines[0]).toMatch(
      /^campaign newsletter, tick 2026-11-23T09:00:00.000Z: running or stopped for .* \(started 2 times\)$/,
    );
    expect(lines[1]).toContain("a scan of the profiles of segment high-engagement, 4 parts: 3 done");
    expect(lines[2]).toBe("  61 read, 21 members, 21 enqueued");
    expect(lines).toContain("  3 error(s), the first 1:");
    expect(lines.at(-1)).toBe(
      "  resume it: npx tailor campaign run newsletter --occurrence 2026-11-23T09:00:00.000Z",
    );
  });

  it("says where the audience was read from and why", () => {
    const why =
      "the membership index was never rebuilt: run `tailor segments reindex` (the nightly jobs do once)";
    const lines = runStatusLines({ ...RUN, sourceReason: why }, RUN.startedAt);
    expect(lines[1]).toMatch(/read from a scan of the profiles of segment/);
    expect(lines[2]).toBe(`  why: ${why}`);
    expect(runStatusLines(RUN, RUN.startedAt).some((line) => line.includes("why:"))).toBe(false);
  });

  it("says a finished run's duration and no resume hint", () => {
    const done = { ...RUN, partsDone: 4, finishedAt: RUN.startedAt + 4_100, errors: [], errorCount: 0 };
    const lines = runStatusLines(done, Date.now());
    expect(lines[0]).toMatch(/finished in/);
    expect(lines.join("\n")).not.toContain("resume it");
  });
});

describe("the fan-out's cost model", () => {
  it("reads the whole table on a scan and only the members from the index", () => {
    const scan = estimateFanOut("x", 10_000_000, 1_000_000, "scan");
    const index = estimateFanOut("x", 10_000_000, 1_000_000, "index");
    expect(scan.readUnits).toBeCloseTo((10_000_000 * SCALE_ASSUMED.profileBytes * 0.5) / 4096, 3);
    expect(index.readUnits).toBeCloseTo((1_000_000 * SCALE_ASSUMED.indexEntryBytes * 0.5) / 4096, 3);
    expect(scan.parts).toBe(200);
    expect(estimateFanOut("x", 100_000_000, 1, "scan").parts).toBe(SCALE_ASSUMED.maxParts);
    // The 100-million scan is bound by the table's read ceiling, not by the parts.
    const big = estimateFanOut("x", 100_000_000, 1, "scan");
    const ceiling = (SCALE_ASSUMED.tableReadUnitsPerSecond * 4096) / (SCALE_ASSUMED.profileBytes * 0.5);
    expect(big.fanOutSeconds).toBeCloseTo(100_000_000 / ceiling, 3);
    expect(scan.usd.ses).toBeCloseTo(100, 6);
  });
});

describe("the nightly rescoring's cost model", () => {
  it("sizes the slices as the plan does, runs so many at once, and is bound by the table's write ceiling", () => {
    const ten = estimateRescoring(10_000_000, 4);
    expect(ten.slices).toBe(planRescoreRun(0, { tableItems: 10_000_000 }).totalSegments);
    expect(ten.seconds).toBeCloseTo(10_000_000 / (4 * RESCORE_ASSUMED.profilesPerSecondPerSlice), 6);
    expect(ten.writeUnits).toBe(20_000_000);
    expect(ten.endpointRequests).toBe(200_000);
    // Ten times the slices at once is ten times faster, until 40 slices' writes meet the table's ceiling.
    expect(estimateRescoring(10_000_000, 40).seconds).toBeCloseTo(ten.seconds / 10, 6);
    const ceiling = RESCORE_ASSUMED.tableWriteUnitsPerSecond / RESCORE_ASSUMED.writeUnitsPerProfile;
    expect(estimateRescoring(100_000_000, 40).seconds).toBeGreaterThanOrEqual(100_000_000 / ceiling);
    // A small table still gets the plan's 8 slices.
    expect(estimateRescoring(50_000, 4).slices).toBe(DEFAULT_TOTAL_SEGMENTS);
    // Every figure in the printed table, and the assumptions said.
    const lines = rescoreCostLines();
    expect(lines.filter((line) => /^\| [\d,]+ \|/.test(line))).toHaveLength(6);
    expect(lines.at(-1)).toMatch(/^Assumptions: 500 profiles\/s per slice/);
  });
});
