import { describe, expect, it } from "vitest";
import { popularItems, recommendItems, trainCooccurrence } from "#shared/domain/models/index.js";

const BASKETS = [["a", "b"], ["a", "b", "c"], ["a", "c"], ["d"], ["d", "a", "a"]];

describe("trainCooccurrence", () => {
  it("scores j for i as the share of baskets with i that hold j", () => {
    const model = trainCooccurrence(BASKETS);
    // a is in 4 baskets: with b in 2, with c in 2, with d in 1 (the duplicate a counts once).
    expect(model.neighbours.a).toEqual([
      ["b", 0.5],
      ["c", 0.5],
      ["d", 0.25],
    ]);
    // b is in 2 baskets, both with a, one with c.
    expect(model.neighbours.b).toEqual([
      ["a", 1],
      ["c", 0.5],
    ]);
    expect(model.popular).toEqual(["a", "b", "c", "d"]);
  });

  it("ranks popularity by other baskets when told, and keeps at most the asked neighbours", () => {
    const model = trainCooccurrence(BASKETS, { neighbours: 1, popularFrom: [["d"], ["d", "c"]] });
    expect(model.neighbours.a).toHaveLength(1);
    expect(model.popular).toEqual(["d", "c"]);
  });
});

describe("recommendItems", () => {
  const model = trainCooccurrence(BASKETS);

  it("sums similarity over seeds, counts each seed as similar to itself, and skips excluded items", () => {
    // Seeds b, c: a = 1 + 1, b = 1 (self) + 0.5 (from c), c = 1 (self) + 0.5 (from b).
    expect(recommendItems(model, { seeds: ["b", "c"] }, 3)).toEqual([
      ["a", 2],
      ["b", 1.5],
      ["c", 1.5],
    ]);
    const withoutA = recommendItems(model, { seeds: ["b", "c"], exclude: new Set(["a"]) }, 3);
    expect(withoutA.map(([id]) => id)).toEqual(["b", "c", "d"]);
  });

  it("fills with popular items, and the baseline leaves out excluded items", () => {
    expect(recommendItems(model, { seeds: [] }, 2).map(([id]) => id)).toEqual(["a", "b"]);
    expect(popularItems(model, { seeds: ["x"], exclude: new Set(["a"]) }, 2)).toEqual(["b", "c"]);
  });
});
