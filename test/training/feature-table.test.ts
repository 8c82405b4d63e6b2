import { describe, expect, it } from "vitest";
import {
  buildFeatureTable,
  eventsByCustomer,
  featureRowAt,
  labelWindows,
  parseTrainingCsv,
  toTrainingCsv,
} from "#shared/app/training/feature-table.js";
import type { TailorEvent } from "#shared/domain/events/index.js";
import { TrainingInputError } from "#shared/domain/models/index.js";
import { DAY_MS } from "#shared/domain/profile/index.js";
import { simulatedHistory } from "#shared/sim/index.js";

const sim = simulatedHistory({ seed: 4, customers: 40, days: 60 });
const byCustomer = eventsByCustomer([...sim.history], sim.start + 60 * DAY_MS);
const cutoff = sim.start + 20 * DAY_MS;
const windows = { purchaseDays: 20, churnDays: 20 };

/** A customer who ordered before the cutoff, and their events. */
function buyer(): [string, TailorEvent[]] {
  for (const [id, events] of byCustomer)
    if (events.some((e) => e.kind === "order_completed" && e.timestamp < cutoff)) return [id, events];
  throw new Error("the simulation has no buyer");
}

describe("the feature table", () => {
  it("has no leakage: events after the cutoff never change a feature, only the labels", () => {
    const [id, events] = buyer();
    const order = events.find((e) => e.kind === "order_completed");
    if (order === undefined) throw new Error("no order");
    const before = featureRowAt(id, events, cutoff, windows);
    // The same order again, a day after the cutoff, and a flood of activity a week later.
    const later: TailorEvent[] = [
      { ...order, timestamp: cutoff + DAY_MS },
      ...events.slice(0, 20).map((e) => ({ ...e, timestamp: cutoff + 7 * DAY_MS })),
    ];
    const after = featureRowAt(
      id,
      [...events.filter((e) => e.timestamp < cutoff), ...later],
      cutoff,
      windows,
    );
    expect(after?.features).toEqual(before?.features);
    expect(after?.purchase_30d).toBe(1);
    expect(after?.churn_60d).toBe(0);
    const withoutFuture = featureRowAt(
      id,
      events.filter((e) => e.timestamp < cutoff),
      cutoff,
      windows,
    );
    expect(withoutFuture?.features).toEqual(before?.features);
    expect(withoutFuture?.purchase_30d).toBe(0);
    expect(withoutFuture?.churn_60d).toBe(1);
  });

  it("keeps the time-based hold-out apart: features as of the later cutoff, labels after it", () => {
    const table = buildFeatureTable(byCustomer, {
      cutoff,
      holdoutCutoff: cutoff + 20 * DAY_MS,
      end: sim.start + 60 * DAY_MS,
    });
    expect(table.windows).toEqual({ purchaseDays: 20, churnDays: 20 });
    expect(table.train.length + table.validation.length).toBeGreaterThan(10);
    expect(table.holdout.length).toBeGreaterThanOrEqual(table.train.length + table.validation.length);
    const [id, events] = buyer();
    const held = table.holdout.find((row) => row.customerId === id);
    expect(held).toEqual(featureRowAt(id, events, cutoff + 20 * DAY_MS, windows));
  });

  it("writes SageMaker's CSV (label first, no header) and reads it back", () => {
    const table = buildFeatureTable(byCustomer, {
      cutoff,
      holdoutCutoff: cutoff + 20 * DAY_MS,
      end: sim.start + 60 * DAY_MS,
    });
    const csv = toTrainingCsv(table.train, "churn_60d");
    const back = parseTrainingCsv(csv, "train.csv");
    expect(back.labels).toEqual(table.train.map((row) => row.churn_60d));
    expect(back.rows).toEqual(table.train.map((row) => row.features));
    expect(() => parseTrainingCsv("2,1,2\n", "t.csv")).toThrow(/t.csv line 1: the label/);
    expect(() => parseTrainingCsv("1,x,2\n", "t.csv")).toThrow(/cell 2 is not a number/);
    expect(parseTrainingCsv("1,,2\n", "t.csv").rows[0]?.[0]).toBeNaN();
  });

  it("shortens label windows to fit a short history, and refuses cutoffs out of order", () => {
    expect(labelWindows({ cutoff: 0, holdoutCutoff: 3 * DAY_MS, end: 5 * DAY_MS })).toEqual({
      purchaseDays: 2,
      churnDays: 2,
    });
    expect(() => labelWindows({ cutoff: 2, holdoutCutoff: 1, end: 3 })).toThrow(TrainingInputError);
  });
});
