import { describe, expect, it } from "vitest";
import { DAY_MS, type Profile } from "#shared/domain/profile/index.js";
import {
  inCohort,
  RFM_COHORTS,
  type RfmCohort,
  rfmNextChangeAt,
  rfmSample,
  rfmScores,
  rfmThresholds,
} from "#shared/domain/segments/index.js";
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
      monetaryBasis: "total",
    });
  });

  it("an empty population gives zero cut points", () => {
    expect(rfmThresholds([], NOW).frequency).toEqual([0, 0, 0, 0]);
  });
});

describe("the monetary basis", () => {
  // Two buyers alike but for shipping and tax: A paid 60 for 20 of revenue, B paid 30 for 28 of revenue.
  const buyer = (total: number, revenue: number) =>
    profileOf(NOW, rawEvents.orderCompleted({ order_id: "o-1", total, revenue }, at(NOW - DAY_MS)));
  const a = buyer(60, 20);
  const b = buyer(30, 28);
  const population = [a, b, buyer(40, 25), buyer(50, 24), buyer(20, 19)];

  it("reads the total (o.r) by default and the revenue (o.v) under `revenue`", () => {
    expect(rfmSample(a, NOW)?.monetary).toBe(6000);
    expect(rfmSample(a, NOW, "revenue")?.monetary).toBe(2000);
  });

  it("ranks the same customers differently, and the thresholds carry their basis to live scoring", () => {
    const on = (basis: "total" | "revenue") =>
      rfmThresholds(
        population.flatMap((p) => rfmSample(p, NOW, basis) ?? []),
        NOW,
        basis,
      );
    const byTotal = on("total");
    const byRevenue = on("revenue");
    expect(byRevenue.monetaryBasis).toBe("revenue");
    expect([rfmScores(a, byTotal, NOW)?.m, rfmScores(b, byTotal, NOW)?.m]).toEqual([5, 2]);
    expect([rfmScores(a, byRevenue, NOW)?.m, rfmScores(b, byRevenue, NOW)?.m]).toEqual([2, 5]);
  });

  it("scores thresholds stored before the basis existed on the total, and old profiles' revenue as their total", () => {
    const { monetaryBasis: _, ...stored } = rfmThresholds(
      [{ recencyDays: 1, frequency: 1, monetary: 3000 }],
      NOW,
    );
    expect(rfmScores(a, stored, NOW)?.m).toBe(5);
    const legacy: Profile = { ...a, o: { n: 1, r: 6000, l: NOW - DAY_MS } };
    expect(rfmSample(legacy, NOW, "revenue")?.monetary).toBe(6000);
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
