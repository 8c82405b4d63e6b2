import { describe, expect, it } from "vitest";
import { assign, type Variant } from "#shared/domain/campaigns/index.js";

const N = 100_000;
const ids = Array.from({ length: N }, (_, i) => `cust_${i.toString(36)}`);
const variants: Variant[] = [
  { id: "a", weight: 50 },
  { id: "b", weight: 30 },
  { id: "c", weight: 20 },
];
const HOLDOUT = 0.1;

describe("assign() over 100,000 ids", () => {
  const tally = new Map<string, number>();
  for (const id of ids) {
    const a = assign("spring-sale", id, HOLDOUT, variants);
    const key = a.kind === "holdout" ? "holdout" : a.variant.id;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }

  it("holds out the configured share within 3 standard errors", () => {
    const share = (tally.get("holdout") ?? 0) / N;
    expect(Math.abs(share - HOLDOUT)).toBeLessThan(3 * Math.sqrt((HOLDOUT * (1 - HOLDOUT)) / N));
  });

  it("honours the weights among those not held out within 3 standard errors", () => {
    const assigned = N - (tally.get("holdout") ?? 0);
    for (const v of variants) {
      const expected = v.weight / 100;
      const share = (tally.get(v.id) ?? 0) / assigned;
      expect(Math.abs(share - expected)).toBeLessThan(3 * Math.sqrt((expected * (1 - expected)) / assigned));
    }
  });

  it("gives the same id the same answer every time", () => {
    for (const id of ids.slice(0, 5000)) {
      expect(assign("spring-sale", id, HOLDOUT, variants)).toEqual(
        assign("spring-sale", id, HOLDOUT, variants),
      );
    }
  });
});
