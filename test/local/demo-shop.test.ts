import { describe, expect, it } from "vitest";
import { planShop, type ShopRecord, shopNow } from "#cli/demo-shop.js";

const DAY_MS = 86_400_000;
const at = (day: number, hour: number, minute = 0) => Date.UTC(2026, 11, day, hour, minute);
const requested = { customers: 20, days: 3, seed: 42 };

describe("the demo shop's clock", () => {
  it("reads 17:15 UTC on the same day whatever the hour the demo runs", () => {
    // 08:40 UTC (the hour of the filed report) and 20:00 the evening before give the same shop.
    expect(shopNow(at(6, 8, 40))).toBe(at(5, 17, 15));
    expect(shopNow(at(5, 20))).toBe(at(5, 17, 15));
    expect(shopNow(at(5, 17, 15))).toBe(at(5, 17, 15));
  });
});

describe("planShop", () => {
  const record: ShopRecord = {
    version: 1,
    seed: 42,
    customers: 20,
    start: at(2, 17, 15),
    until: at(5, 17, 15),
    clockAt: at(5, 17, 18),
  };

  it("starts a new shop on an empty data dir, its days ending at the shop's now", () => {
    const plan = planShop({ record: undefined, profiles: 0, wallNow: at(6, 8, 40), requested });
    expect(plan).toMatchObject({ kind: "new", from: at(2, 17, 15), clockStart: at(5, 17, 15) });
  });

  it("puts nothing again the same day, and says when the next day comes; the clock does not go back", () => {
    const plan = planShop({
      record,
      profiles: 24,
      wallNow: at(5, 23),
      requested: { ...requested, days: 30 },
    });
    expect(plan).toEqual({ kind: "up-to-date", record, clockStart: at(5, 17, 18), next: at(6, 17, 15) });
  });

  it("continues the recorded shop over the days since, from where it stopped, with its own seed and size", () => {
    const plan = planShop({
      record,
      profiles: 24,
      wallNow: at(7, 18),
      requested: { customers: 500, days: 30, seed: 7 },
    });
    expect(plan).toMatchObject({
      kind: "continue",
      from: at(5, 17, 15),
      sim: { customers: 20, seed: 42, start: at(2, 17, 15), days: 5 },
    });
    if (plan.kind === "continue") expect(plan.sim.start + plan.sim.days * DAY_MS).toBe(at(7, 17, 15));
  });

  it("adds nothing to profiles it did not record", () => {
    const plan = planShop({ record: undefined, profiles: 12, wallNow: at(6, 8), requested });
    expect(plan).toMatchObject({ kind: "unrecorded", profiles: 12 });
  });
});
