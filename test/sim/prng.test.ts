import { describe, expect, it } from "vitest";
import { deriveSeed, mulberry32, Rng } from "#shared/sim/index.js";
import { WeightedTable } from "#shared/sim/prng.js";

describe("mulberry32", () => {
  it("repeats its sequence for a seed, stays in [0, 1) and averages one half", () => {
    const a = mulberry32(123);
    const b = mulberry32(123);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = a();
      expect(b()).toBe(x);
      sum += x;
      if (x < 0 || x >= 1) throw new Error(`out of range: ${x}`);
    }
    expect(sum / 10_000).toBeCloseTo(0.5, 1);
  });

  it("differs between seeds", () => {
    const a = mulberry32(1);
    const b = mulberry32(2);
    const same = Array.from({ length: 100 }, () => a() === b()).filter(Boolean).length;
    expect(same).toBe(0);
  });
});

describe("deriveSeed", () => {
  it("is stable and separates labels", () => {
    expect(deriveSeed(7, "day", 1)).toBe(deriveSeed(7, "day", 1));
    const seeds = new Set([
      deriveSeed(7, "day", 1),
      deriveSeed(7, "day", 2),
      deriveSeed(8, "day", 1),
      deriveSeed(7, "catalog"),
    ]);
    expect(seeds.size).toBe(4);
  });
});

describe("Rng", () => {
  it("draws Poisson counts with the given mean and integers within bounds", () => {
    const rng = new Rng(5);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += rng.poisson(2.5);
    expect(sum / 20_000).toBeCloseTo(2.5, 1);
    const ints = Array.from({ length: 1_000 }, () => rng.intBetween(3, 6));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5, 6]));
  });

  it("refuses to pick from an empty list", () => {
    expect(() => new Rng(1).pick([])).toThrow(RangeError);
  });
});

describe("WeightedTable", () => {
  it("draws items in proportion to their weights and never a zero-weight item", () => {
    const table = new WeightedTable(["a", "b", "c", "never"], [1, 2, 7, 0]);
    const rng = new Rng(9);
    const counts = new Map<string, number>();
    for (let i = 0; i < 50_000; i++) {
      const item = table.draw(rng);
      counts.set(item, (counts.get(item) ?? 0) + 1);
    }
    expect((counts.get("a") ?? 0) / 50_000).toBeCloseTo(0.1, 1);
    expect((counts.get("b") ?? 0) / 50_000).toBeCloseTo(0.2, 1);
    expect((counts.get("c") ?? 0) / 50_000).toBeCloseTo(0.7, 1);
    expect(counts.has("never")).toBe(false);
  });
});
