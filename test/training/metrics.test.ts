import { describe, expect, it } from "vitest";
import {
  averagePrecision,
  brierScore,
  calibration,
  precisionRecallAtK,
  rocAuc,
} from "#shared/domain/models/index.js";

describe("rocAuc", () => {
  it("is the share of positive–negative pairs ranked right (hand-computed)", () => {
    // Positives 0.8, 0.4; negatives 0.6, 0.2. Pairs: (0.8>0.6) (0.8>0.2) (0.4<0.6) (0.4>0.2) → 3/4.
    expect(rocAuc([0.8, 0.6, 0.4, 0.2], [1, 0, 1, 0])).toBeCloseTo(0.75, 12);
  });

  it("counts a tie as one half", () => {
    // Positive 0.5 vs negatives 0.5 (tie, ½) and 0.1 (win, 1) → 1.5/2.
    expect(rocAuc([0.5, 0.5, 0.1], [1, 0, 0])).toBeCloseTo(0.75, 12);
  });

  it("is 1 for a perfect ranking, 0 for a reversed one, NaN with one class", () => {
    expect(rocAuc([3, 2, 1], [1, 1, 0])).toBe(1);
    expect(rocAuc([1, 2, 3], [1, 1, 0])).toBe(0);
    expect(rocAuc([1, 2], [1, 1])).toBeNaN();
  });
});

describe("averagePrecision", () => {
  it("averages the precision at each positive (hand-computed)", () => {
    // Ranked: +, −, +, − → precision 1/1 at the first positive, 2/3 at the second: (1 + 2/3) / 2 = 5/6.
    expect(averagePrecision([0.9, 0.8, 0.7, 0.1], [1, 0, 1, 0])).toBeCloseTo(5 / 6, 12);
  });

  it("treats tied scores as one threshold", () => {
    // One threshold holding 1 positive of 2 rows: recall 1 at precision 1/2.
    expect(averagePrecision([0.5, 0.5], [1, 0])).toBeCloseTo(0.5, 12);
    expect(averagePrecision([0.5, 0.5], [0, 0])).toBeNaN();
  });
});

describe("calibration and Brier score", () => {
  it("bins predictions into ten equal bins with mean predicted and observed rates", () => {
    const bins = calibration([0.05, 0.15, 0.12, 0.95, 1], [0, 1, 0, 1, 1]);
    expect(bins).toHaveLength(10);
    expect(bins[0]).toMatchObject({ count: 1, observed: 0 });
    expect(bins[0]?.meanPredicted).toBeCloseTo(0.05, 12);
    expect(bins[1]).toMatchObject({ count: 2, observed: 0.5 });
    expect(bins[1]?.meanPredicted).toBeCloseTo(0.135, 12);
    expect(bins[9]).toMatchObject({ count: 2, observed: 1 });
    expect(bins[5]?.count).toBe(0);
    expect(bins[5]?.observed).toBeNaN();
  });

  it("Brier is the mean squared error", () => {
    expect(brierScore([0.5, 1, 0], [1, 1, 1])).toBeCloseTo((0.25 + 0 + 1) / 3, 12);
  });
});

describe("precisionRecallAtK", () => {
  it("counts hits in the top k", () => {
    const relevant = new Set(["a", "c", "z"]);
    expect(precisionRecallAtK(["a", "b", "c", "d"], relevant, 2)).toEqual({ precision: 0.5, recall: 1 / 3 });
    expect(precisionRecallAtK(["a", "b", "c"], relevant, 10)).toEqual({ precision: 0.2, recall: 2 / 3 });
  });
});
