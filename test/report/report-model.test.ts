import { describe, expect, it } from "vitest";
import { requiredSampleSize } from "#shared/domain/experiments/index.js";
import {
  type Comparison,
  type ExperimentReport,
  ReportInputError,
  reportModel,
  type SectionView,
} from "#shared/domain/experiments/report-model.js";
import { arm, campaign, richCampaign } from "./totals.js";

const OPTIONS = { confidence: 0.95, minimumDetectableEffect: 0.1 };

function overall(report: ExperimentReport): SectionView {
  const first = report.campaigns[0];
  if (first === undefined) throw new Error("no campaign in the report");
  return first.overall;
}

function find(view: SectionView, treatment: string, metric: string, against = "control"): Comparison {
  const found = view.comparisons.find(
    (c) => c.treatment === treatment && c.metric === metric && c.against === against,
  );
  if (found === undefined) throw new Error(`no comparison ${treatment}/${metric}/${against}`);
  return found;
}

describe("reportModel", () => {
  it("finds that B beats A on clicks: positive lift, interval above 0, a plain sentence", () => {
    // Prepare
    const totals = campaign([
      arm("a", { sent: 10_000, clicked: 400 }),
      arm("b", { sent: 10_000, clicked: 480 }),
    ]);
    // Act
    const clicks = find(overall(reportModel([totals], OPTIONS)), "b", "clicks");
    // Assess
    expect(clicks.difference).toBeCloseTo(480 / 10_000 - 400 / 10_000, 12);
    expect(clicks.relativeLift).toBeCloseTo(480 / 400 - 1, 12);
    expect(clicks.interval.lower).toBeGreaterThan(0);
    expect(clicks.interval.upper).toBeGreaterThan(clicks.difference);
    expect(clicks.pValue).toBeLessThan(0.05);
    expect(clicks.fixed.outcome).toBe("better");
    expect(clicks.fixed.sentence).toMatch(/^B beats A on clicks, \+0\.8 pts, 95 % CI \[0\.\d, 1\.\d\]\.$/);
  });

  it("says B trails A when B is worse", () => {
    const totals = campaign([
      arm("a", { sent: 10_000, clicked: 480 }),
      arm("b", { sent: 10_000, clicked: 400 }),
    ]);
    const clicks = find(overall(reportModel([totals], OPTIONS)), "b", "clicks");
    expect(clicks.fixed.outcome).toBe("worse");
    expect(clicks.interval.upper).toBeLessThan(0);
    expect(clicks.fixed.sentence).toMatch(/^B trails A on clicks, −0\.8 pts/);
  });

  it("says 'not enough data yet' on a small sample, with the sends still needed", () => {
    const totals = campaign([arm("a", { sent: 200, clicked: 8 }), arm("b", { sent: 200, clicked: 10 })]);
    const clicks = find(overall(reportModel([totals], OPTIONS)), "b", "clicks");
    const required = requiredSampleSize(8 / 200, (8 / 200) * 0.1, 0.05, 0.8);
    expect(clicks.requiredPerArm).toBe(required);
    expect(clicks.fixed.outcome).toBe("needs-data");
    expect(clicks.fixed.moreTrialsPerArm).toBe(required - 200);
    expect(clicks.fixed.sentence).toMatch(/^Not enough data yet: about [\d,]+ more sends per arm needed\.$/);
    expect(clicks.sequential.outcome).toBe("needs-data");
    expect(clicks.sequential.sentence).toMatch(
      /^No decision yet on clicks \(always-valid p = [01]\.\d{3}\); safe/,
    );
  });

  it("measures the lift of each variant over the holdout on conversions", () => {
    const totals = campaign([
      arm("a", { sent: 10_000, converted: 300, revenueMinor: 2_400_000 }),
      arm("holdout", { sent: 10_000, converted: 200, revenueMinor: 1_500_000 }),
    ]);
    const view = overall(reportModel([totals], { ...OPTIONS, minimumDetectableEffect: 0.5 }));
    const lift = find(view, "a", "conversions", "holdout");
    expect(lift.baseline).toBe("holdout");
    expect(lift.difference).toBeCloseTo(0.01, 12);
    expect(lift.interval.lower).toBeGreaterThan(0);
    expect(lift.fixed.outcome).toBe("better");
    expect(lift.fixed.sentence).toMatch(/^A beats the holdout on conversions, \+1\.0 pts/);
    // Only conversions are compared with the holdout: it gets no email.
    expect(view.comparisons.filter((c) => c.against === "holdout").map((c) => c.metric)).toEqual([
      "conversions",
    ]);
    const holdout = view.arms.find((a) => a.role === "holdout");
    expect(holdout?.clicks).toBeUndefined();
    expect(holdout?.conversions.rate).toBeCloseTo(0.02, 12);
    const revenue = view.revenue.find((r) => r.against === "holdout");
    expect(revenue?.differenceMinor).toBeCloseTo(240 - 150, 9);
    expect(revenue?.relativeLift).toBeCloseTo(240 / 150 - 1, 9);
  });

  it("gives every mailed arm Wilson rates that contain the observed rate", () => {
    const view = overall(reportModel([richCampaign()], OPTIONS));
    for (const a of view.arms.filter((x) => x.role !== "holdout")) {
      for (const rate of [a.delivery, a.opens, a.clicks, a.conversions]) {
        expect(rate).toBeDefined();
        if (rate === undefined) continue;
        expect(rate.interval.lower).toBeLessThanOrEqual(rate.rate);
        expect(rate.interval.upper).toBeGreaterThanOrEqual(rate.rate);
      }
    }
  });

  it("sums segments into the whole and reports each segment on its own", () => {
    const totals = richCampaign();
    const report = reportModel([totals], OPTIONS);
    const first = report.campaigns[0];
    expect(first?.segments.map((s) => s.segment)).toEqual(["frequent buyers", "new customers"]);
    const b = first?.overall.arms.find((a) => a.variant === "b");
    const sentToB = totals.arms.filter((a) => a.variant === "b").reduce((n, a) => n + a.sent, 0);
    expect(b?.sent).toBe(sentToB);
    expect(first?.overall.arms.map((a) => a.variant)).toEqual(["a", "b", "c", "holdout"]);
    for (const s of first?.segments ?? []) {
      // b and c against a on three metrics, and a, b, c against the holdout.
      expect(s.comparisons).toHaveLength(2 * 3 + 3);
    }
    expect(first?.overall.notes.join(" ")).toMatch(/several comparisons/);
  });

  it("decides with the always-valid test only on strong evidence", () => {
    const strong = campaign([
      arm("a", { sent: 20_000, clicked: 400 }),
      arm("b", { sent: 20_000, clicked: 700 }),
    ]);
    const clicks = find(overall(reportModel([strong], OPTIONS)), "b", "clicks");
    expect(clicks.sequential.outcome).toBe("better");
    expect(clicks.sequential.pValue).toBeLessThanOrEqual(0.05);
    // The always-valid interval is wider than the fixed-horizon one at the same look.
    expect(clicks.sequential.interval.upper - clicks.sequential.interval.lower).toBeGreaterThan(
      clicks.interval.upper - clicks.interval.lower,
    );
  });

  it("says no data when nothing was counted, instead of failing", () => {
    const totals = campaign([arm("a", { sent: 50 }), arm("b", { sent: 50 })]);
    const clicks = find(overall(reportModel([totals], OPTIONS)), "b", "clicks");
    expect(clicks.fixed.outcome).toBe("no-data");
    expect(clicks.fixed.sentence).toBe("Not enough data yet: no clicks counted in either arm.");
  });

  it("refuses impossible options and revenue in several currencies", () => {
    const ok = campaign([arm("a", { sent: 10 }), arm("b", { sent: 10 })]);
    expect(() => reportModel([ok], { ...OPTIONS, confidence: 1 })).toThrow(ReportInputError);
    expect(() => reportModel([ok], { ...OPTIONS, minimumDetectableEffect: 0 })).toThrow(ReportInputError);
    const mixed = campaign([
      arm("a", { sent: 10, revenueMinor: 100, currency: "EUR" }),
      arm("b", { sent: 10, revenueMinor: 100, currency: "USD" }),
    ]);
    expect(() => reportModel([mixed], OPTIONS)).toThrow(/several currencies/);
  });

  it("notes a missing control instead of comparing against nothing", () => {
    const totals = campaign([arm("b", { sent: 100, clicked: 3 }), arm("c", { sent: 100, clicked: 4 })]);
    const view = overall(reportModel([totals], OPTIONS));
    expect(view.comparisons).toHaveLength(0);
    expect(view.notes[0]).toMatch(/No control arm "a"/);
  });
});
