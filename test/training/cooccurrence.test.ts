import { describe, expect, it } from "vitest";
import {
  CATEGORY_WEIGHT,
  popularItems,
  recommendItems,
  trainCooccurrence,
} from "#shared/domain/models/index.js";

const BASKETS = [["a", "b"], ["a", "b", "c"], ["a", "c"], ["d"], ["d", "a", "a"]];
const CATEGORIES = new Map([
  ["a", "x"],
  ["b", "x"],
  ["c", "y"],
  ["d", "y"],
]);

describe("trainCooccurrence", () => {
  it("with damping 0, scores j for i as the share of baskets with i that hold j", () => {
    const model = trainCooccurrence(BASKETS, { damping: 0 });
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

  it("discounts a popular neighbour with damping: 0.5 is the cosine co / √(n(i) n(j))", () => {
    const model = trainCooccurrence(BASKETS, { damping: 0.5 });
    // b (n 2) with a (n 4): 2 / √8; with c (n 2): 1 / √4. a with d: 1 / √8.
    expect(model.neighbours.b?.map(([id]) => id)).toEqual(["a", "c"]);
    expect(model.neighbours.b?.[0]?.[1]).toBeCloseTo(2 / Math.sqrt(8), 6);
    expect(model.neighbours.b?.[1]?.[1]).toBe(0.5);
    expect(model.neighbours.a?.at(-1)?.[1]).toBeCloseTo(1 / Math.sqrt(8), 6);
  });

  it("ranks popularity by other baskets when told, keeps at most the asked neighbours, and best sellers per category", () => {
    const model = trainCooccurrence(BASKETS, {
      neighbours: 1,
      popularFrom: [["d"], ["d", "c"], ["b"]],
      categoryOf: CATEGORIES,
    });
    expect(model.neighbours.a).toHaveLength(1);
    expect(model.popular).toEqual(["d", "b", "c"]);
    expect(model.popularByCategory).toEqual({ y: ["d", "c"], x: ["b"] });
  });
});

describe("recommendItems", () => {
  const model = trainCooccurrence(BASKETS, { damping: 0, categoryOf: CATEGORIES });

  it("sums each seed and its neighbours by the seed's share of the weights, and skips excluded items", () => {
    // Shares: b 1/4, c 3/4. Neighbours (damping 0): b → a 1, c 0.5; c → a 1, b 0.5.
    // a = 0.25 + 0.75 = 1; c = 0.75 (itself) + 0.25 × 0.5 = 0.875; b = 0.25 (itself) + 0.75 × 0.5 = 0.625.
    const seeds = [
      { productId: "b", kind: "view" as const, weight: 1 },
      { productId: "c", kind: "cart" as const, weight: 3 },
    ];
    expect(recommendItems(model, { seeds }, 3)).toEqual([
      ["a", 1],
      ["c", 0.875],
      ["b", 0.625],
    ]);
    const withoutA = recommendItems(model, { seeds, exclude: new Set(["a"]) }, 3);
    expect(withoutA.map(([id]) => id)).toEqual(["c", "b", "d"]);
  });

  it("adds category affinity: the category's share over the product's rank among its best sellers", () => {
    // y has 3/4 of the affinity, x 1/4; best sellers y: c, d; x: a, b.
    const ranked = recommendItems(
      model,
      {
        seeds: [],
        affinity: [
          { category: "y", score: 3 },
          { category: "x", score: 1 },
        ],
      },
      4,
    );
    expect(ranked).toEqual([
      ["c", CATEGORY_WEIGHT * 0.75],
      ["d", (CATEGORY_WEIGHT * 0.75) / 2],
      ["a", CATEGORY_WEIGHT * 0.25],
      ["b", (CATEGORY_WEIGHT * 0.25) / 2],
    ]);
  });

  it("fills with popular items, and the baseline leaves out excluded items", () => {
    expect(recommendItems(model, { seeds: [] }, 2).map(([id]) => id)).toEqual(["a", "b"]);
    expect(popularItems(model, { exclude: new Set(["a"]) }, 2)).toEqual(["b", "c"]);
  });
});
