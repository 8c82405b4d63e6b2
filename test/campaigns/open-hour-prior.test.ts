import { describe, expect, it } from "vitest";
import {
  addOpenHours,
  chooseOpenHourPrior,
  DEFAULT_OPEN_HOUR_PRIOR,
  describeOpenHourPrior,
  emptyOpenHourTotals,
  learnOpenHourPrior,
  MIN_LEARNED_PRIOR_OPENS,
  mergeOpenHourTotals,
} from "#shared/domain/campaigns/index.js";
import { OPEN_HOURS_HALF_LIFE_MS, type OpenHours } from "#shared/domain/profile/index.js";

const NOW = Date.UTC(2026, 11, 6, 3);

/** A histogram as the profile keeps it: local-hour counts as of `t`. */
const oh = (h: Record<string, number>, t = NOW): OpenHours => ({ t, h });

describe("the population's open hours (the learned prior's aggregation)", () => {
  it("sums every profile's counts by local hour, decayed to the run's time, and counts customers with opens", () => {
    // Prepare: a Paris customer's 19 h and a Tokyo customer's 19 h are both local 19 h, as `oh` stores them.
    const histograms = [
      oh({ "19": 3, "8": 1 }),
      oh({ "19": 2 }, NOW - OPEN_HOURS_HALF_LIFE_MS),
      undefined,
      oh({}),
    ];

    // Act
    const totals = addOpenHours(emptyOpenHourTotals(NOW), histograms);

    // Assess: the 60-day-old 2 opens weigh 1.
    expect(totals.counts[19]).toBeCloseTo(4, 9);
    expect(totals.counts[8]).toBeCloseTo(1, 9);
    expect(totals.opens).toBeCloseTo(5, 9);
    expect(totals.customers).toBe(2);
  });

  it("parts merged equal one pass over everybody, whatever the split", () => {
    const all = Array.from({ length: 40 }, (_, i) =>
      oh({ [String(i % 24)]: 1 + (i % 3), "20": 0.5 }, NOW - i * 86_400_000),
    );
    const single = addOpenHours(emptyOpenHourTotals(NOW), all);
    const parts = [all.slice(0, 7), all.slice(7, 30), all.slice(30)].map((part) =>
      addOpenHours(emptyOpenHourTotals(NOW), part),
    );
    const merged = mergeOpenHourTotals(parts, NOW);
    expect(merged.customers).toBe(single.customers);
    merged.counts.forEach((count, hour) => {
      expect(count).toBeCloseTo(single.counts[hour] ?? Number.NaN, 9);
    });
  });

  it("learns shares summing to one, with the opens and date it rests on", () => {
    const totals = addOpenHours(emptyOpenHourTotals(NOW), [oh({ "7": 30, "21": 90 })]);
    const learned = learnOpenHourPrior(totals, NOW);
    expect(learned.prior[21]).toBeCloseTo(0.75, 6);
    expect(learned.prior[7]).toBeCloseTo(0.25, 6);
    expect(learned.prior.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(learned).toMatchObject({ opens: 120, customers: 1, computedAt: NOW });
  });

  it("is used only when it rests on enough opens; otherwise the default, saying why", () => {
    const few = learnOpenHourPrior(
      addOpenHours(emptyOpenHourTotals(NOW), [oh({ "3": MIN_LEARNED_PRIOR_OPENS - 1 })]),
      NOW,
    );
    const enough = learnOpenHourPrior(
      addOpenHours(emptyOpenHourTotals(NOW), [oh({ "3": MIN_LEARNED_PRIOR_OPENS })]),
      NOW,
    );
    const none = chooseOpenHourPrior(undefined);
    expect(none).toMatchObject({ source: "default", prior: DEFAULT_OPEN_HOUR_PRIOR });
    expect(describeOpenHourPrior(none)).toBe("default prior (no learned prior stored)");
    const tooFew = chooseOpenHourPrior(few);
    expect(tooFew.source).toBe("default");
    expect(describeOpenHourPrior(tooFew)).toBe(
      `default prior (learned from ${MIN_LEARNED_PRIOR_OPENS - 1} opens, fewer than ${MIN_LEARNED_PRIOR_OPENS})`,
    );
    const used = chooseOpenHourPrior(enough);
    expect(used.source).toBe("learned");
    expect(used.prior[3]).toBe(1);
    expect(describeOpenHourPrior(used)).toBe(
      `learned prior (${MIN_LEARNED_PRIOR_OPENS} opens of 1 customers, 2026-12-06)`,
    );
  });
});
