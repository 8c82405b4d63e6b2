import { describe, expect, it } from "vitest";
import { DAY_MS, type Profile } from "../../shared/domain/profile/index.js";
import {
  inCohort,
  RFM_COHORTS,
  type RfmCohort,
  rfmNextChangeAt,
  rfmScores,
  rfmThresholds,
} from "../../shared/domain/segments/index.js";
import { rawEvents } from "../factories/events.js";
import { at, profileOf } from "./helpers.js";

const NOW = Date.UTC(2026, 10, 20, 12);

describe("rfmThresholds", () => {
  it("cuts each input at the 20th, 40th, 60th and 80th percentiles (nearest rank)", () => {
    const samples = Array.from({ length: 10 }, (_, i) => ({
      recencyDays: i * 10,
      frequency: i + 1,
      monetary: (i + 1) * 1000,
    }));
    const thresholds = rfmThresholds(samples, NOW);
    expect(thresholds).toEqual({
      recencyDays: [10, 30, 50, 70],
      frequency: [2, 4, 6, 8],
      monetary: [2000, 4000, 6000, 8000],
      computedAt: NOW,
      population: 10,
    });
  });

  it("an empty population gives zero cut points", () => {
    expect(rfmThresholds([], NOW).frequency).toEqual([0, 0, 0, 0]);
  });
});

describe("rfmScores", () => {
  const thresholds = rfmThresholds(
    Array.from({ length: 10 }, (_, i) => ({
      recencyDays: i * 10,
      frequency: i + 1,
      monetary: (i + 1) * 1000,
    })),
    NOW,
  );
  const customer = (orders: number, daysAgo: number, dollars: number): Profile =>
    profileOf(
      NOW,
      ...Array.from({ length: orders }, (_, i) =>
        rawEvents.orderCompleted(
          { order_id: `o-${i}`, total: dollars / orders },
          at(NOW - daysAgo * DAY_MS - i),
        ),
      ),
    );

  it("scores frequency and monetary up, recency down, ties in the lower bucket", () => {
    expect(rfmScores(customer(2, 10, 20), thresholds, NOW)).toEqual({ r: 5, f: 1, m: 1, at: NOW });
    expect(rfmScores(customer(3, 11, 40), thresholds, NOW)).toEqual({ r: 4, f: 2, m: 2, at: NOW });
    expect(rfmScores(customer(9, 71, 100), thresholds, NOW)).toEqual({ r: 1, f: 5, m: 5, at: NOW });
  });

  it("is undefined for customers who never ordered", () => {
    expect(rfmScores(profileOf(NOW, rawEvents.page({}, at(NOW))), thresholds, NOW)).toBeUndefined();
  });

  it("says when recency next drops a score, and never below 1", () => {
    const profile = customer(1, 10, 10);
    const last = NOW - 10 * DAY_MS;
    // 10 days is ≤ 10 (score 5): it drops when recency reaches 11 days.
    expect(rfmNextChangeAt(profile, thresholds, NOW)).toBe(last + 11 * DAY_MS);
    expect(rfmScores(profile, thresholds, last + 11 * DAY_MS - 1)?.r).toBe(5);
    expect(rfmScores(profile, thresholds, last + 11 * DAY_MS)?.r).toBe(4);
    expect(rfmNextChangeAt(customer(1, 80, 10), thresholds, NOW)).toBeUndefined();
  });
});

describe("RFM cohorts", () => {
  it("every (R, F) pair is in at most one cohort, and the documented gaps are in none", () => {
    const cohorts = Object.keys(RFM_COHORTS).filter((c): c is RfmCohort => c in RFM_COHORTS);
    const unnamed: string[] = [];
    for (let r = 1; r <= 5; r++) {
      for (let f = 1; f <= 5; f++) {
        const matches = cohorts.filter((cohort) => inCohort({ r, f }, cohort));
        expect(matches.length, `R ${r} F ${f}`).toBeLessThanOrEqual(1);
        if (matches.length === 0) unnamed.push(`${r}${f}`);
      }
    }
    expect(unnamed).toEqual(["31", "32", "33", "41"]);
  });
});
