import { describe, expect, it } from "vitest";
import { assign, unitHash, type Variant } from "#shared/domain/campaigns/index.js";

const N = 100_000;
const ids = Array.from({ length: N }, (_, i) => `customer-${i}`);
const variants: Variant[] = [
  { id: "a", weight: 1 },
  { id: "b", weight: 2 },
  { id: "c", weight: 1 },
];
// Chi-square critical values at p = 0.001: a correct hash fails about once in a thousand runs of a new seed;
// the ids are fixed, so the test is deterministic.
const CHI2_CRITICAL_P001 = { 3: 16.27, 9: 27.88 } as const;

function chiSquare(observed: readonly number[], expected: readonly number[]): number {
  return observed.reduce((sum, o, i) => {
    const e = expected[i] ?? 0;
    return sum + (o - e) ** 2 / e;
  }, 0);
}

describe("unitHash", () => {
  it("is uniform over 10 buckets for sequential ids", () => {
    const buckets = new Array<number>(10).fill(0);
    for (const id of ids) {
      const b = Math.floor(unitHash(id) * 10);
      buckets[b] = (buckets[b] ?? 0) + 1;
    }
    expect(chiSquare(buckets, new Array<number>(10).fill(N / 10))).toBeLessThan(CHI2_CRITICAL_P001[9]);
  });

  it("is deterministic and in [0, 1)", () => {
    expect(unitHash("campaign#customer-1")).toBe(unitHash("campaign#customer-1"));
    expect(unitHash("campaign#customer-1")).not.toBe(unitHash("campaign#customer-2"));
    for (const id of ids.slice(0, 1000)) {
      const u = unitHash(id);
      expect(u >= 0 && u < 1).toBe(true);
    }
  });
});

describe("assign", () => {
  const counts = (experiment: string, holdout: number) => {
    const tally = new Map<string, number>();
    for (const id of ids) {
      const a = assign(experiment, id, holdout, variants);
      const key = a.kind === "holdout" ? "holdout" : a.variant.id;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    return tally;
  };

  it("splits holdout 10 % and variants 1:2:1 within sampling error (chi-square, p = 0.001)", () => {
    const tally = counts("cart", 0.1);
    const expected = [0.1, 0.9 * 0.25, 0.9 * 0.5, 0.9 * 0.25].map((p) => p * N);
    const observed = ["holdout", "a", "b", "c"].map((k) => tally.get(k) ?? 0);
    expect(chiSquare(observed, expected)).toBeLessThan(CHI2_CRITICAL_P001[3]);
    // And each bucket within 4 binomial standard deviations.
    observed.forEach((o, i) => {
      const p = (expected[i] ?? 0) / N;
      expect(Math.abs(o - p * N)).toBeLessThan(4 * Math.sqrt(N * p * (1 - p)));
    });
  });

  it("gives the same customer the same answer every time, and different experiments independent answers", () => {
    const first = ids.slice(0, 2000).map((id) => assign("cart", id, 0.1, variants));
    const again = ids.slice(0, 2000).map((id) => assign("cart", id, 0.1, variants));
    expect(again).toEqual(first);
    const other = ids.slice(0, 2000).map((id) => assign("browse", id, 0.1, variants));
    const same = other.filter((a, i) => JSON.stringify(a) === JSON.stringify(first[i])).length;
    // Independent: agreement ≈ 0.1² + 0.225² + 0.45² + 0.225² ≈ 31 %, far from 100 %.
    expect(same / 2000).toBeGreaterThan(0.25);
    expect(same / 2000).toBeLessThan(0.37);
  });

  it("keeps the holdout when variants or weights change", () => {
    const before = ids.slice(0, 5000).map((id) => assign("cart", id, 0.2, variants).kind);
    const after = ids.slice(0, 5000).map((id) => assign("cart", id, 0.2, [{ id: "z", weight: 5 }]).kind);
    expect(after).toEqual(before);
  });

  it("with no holdout nobody is held out, and one variant takes everyone", () => {
    const tally = new Set(
      ids.slice(0, 5000).map((id) => JSON.stringify(assign("x", id, 0, [{ id: "a", weight: 1 }]))),
    );
    expect([...tally]).toEqual([JSON.stringify({ kind: "variant", variant: { id: "a", weight: 1 } })]);
  });
});
