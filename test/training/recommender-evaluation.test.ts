import { describe, expect, it } from "vitest";
import type { CustomerRow, Dataset } from "#shared/app/training/dataset.js";
import { trainRecommender } from "#shared/app/training/index.js";
import { listReport } from "#shared/domain/models/index.js";
import type { CatalogProduct } from "#shared/ports.js";

describe("listReport", () => {
  it("averages precision@k and recall@k over customers with something relevant, and counts coverage and distinct lists", () => {
    const report = listReport(
      [
        { recommended: ["a", "b", "x"], relevant: new Set(["b"]) }, // top 2 a, b: 1 hit → P 1/2, R 1/1
        { recommended: ["a", "b"], relevant: new Set(["c", "d"]) }, // no hit → P 0, R 0
        { recommended: ["c", "a"], relevant: new Set() }, // nothing relevant: not scored, still a list
        { recommended: ["a", "b"], relevant: new Set(["a"]) }, // P 1/2, R 1
      ],
      new Set(["a", "b", "c", "d", "e"]),
      2,
    );
    expect(report.lists).toBe(4);
    expect(report.scored).toBe(3);
    expect(report.precision).toBeCloseTo((0.5 + 0 + 0.5) / 3, 12);
    expect(report.recall).toBeCloseTo((1 + 0 + 1) / 3, 12);
    // a, b, c shown of the 5 products (x is not one of them).
    expect(report.coverage).toBe(3 / 5);
    // Top-2 lists: [a, b] three times, [c, a] once.
    expect(report.distinctShare).toBe(2 / 4);
  });

  it("answers NaN, not 0, when there is nothing to average", () => {
    const report = listReport([], new Set(), 10);
    expect(report.precision).toBeNaN();
    expect(report.coverage).toBeNaN();
    expect(report.distinctShare).toBeNaN();
  });
});

function product(id: string, category: string, inStock = true): CatalogProduct {
  return {
    productId: id,
    name: id,
    brand: "Acme",
    category,
    price: 1,
    currency: "USD",
    inStock,
    popularity: 0,
    url: `https://example.com/${id}`,
    imageUrl: `https://example.com/${id}.jpg`,
  };
}

function row(customerId: string, holdout: boolean, fields: Partial<CustomerRow>): CustomerRow {
  return {
    customerId,
    holdout,
    features: [],
    daysSinceLastOrder: undefined,
    purchase: 0,
    churn: 0,
    seenBefore: [],
    boughtBefore: [],
    boughtAfter: [],
    signals: { seeds: [], affinity: [] },
    boughtAt: new Map(),
    ...fields,
  };
}

const T = Date.UTC(2026, 0, 31);

describe("trainRecommender on a hand-made dataset", () => {
  it("reports precision, recall, coverage and distinct lists for the model and for popularity, through the rules", () => {
    const dataset: Dataset = {
      cutoff: T,
      featureNames: [],
      categoryOf: new Map([
        ["p1", "A"],
        ["p2", "A"],
        ["p3", "B"],
        ["p4", "B"],
      ]),
      rows: [
        row("t1", false, { seenBefore: ["p1", "p2"], boughtBefore: ["p1"] }),
        row("t2", false, { seenBefore: ["p1", "p2"], boughtBefore: ["p1"] }),
        row("t3", false, { seenBefore: ["p3", "p4"], boughtBefore: ["p3"] }),
        // Viewed p2, then bought p1: p2's neighbour.
        row("h1", true, {
          signals: { seeds: [{ productId: "p2", kind: "view", weight: 1 }], affinity: [] },
          boughtAfter: ["p1"],
        }),
        // Nothing seen; had bought p3, then bought p3 again and p2: only p2 is new.
        row("h2", true, { boughtAt: new Map([["p3", T - 1]]), boughtAfter: ["p3", "p2"] }),
        // Viewed p3 (whose neighbour p4 is out of stock), bought nothing after: a list, not scored.
        row("h3", true, { signals: { seeds: [{ productId: "p3", kind: "view", weight: 1 }], affinity: [] } }),
      ],
    };
    const catalog = [product("p1", "A"), product("p2", "A"), product("p3", "B"), product("p4", "B", false)];
    const { evaluation, popular } = trainRecommender(dataset, "2026-02-01T00:00:00Z", { catalog });

    // Best sellers from the training orders: p1 (2), p3 (1).
    expect(popular).toEqual(["p1", "p3"]);
    // Model lists: h1 [p1, p2 (tied at 1, by id), p3]; h2 [p1] (p3 bought); h3 [p3, p1] (p4 out of stock).
    // Scored: h1 (1 hit of 10, recall 1) and h2 (no hit).
    expect(evaluation).toMatchObject({ customers: 2, listed: 3, products: 3 });
    expect(evaluation.precisionAt10).toBeCloseTo((0.1 + 0) / 2, 12);
    expect(evaluation.recallAt10).toBeCloseTo((1 + 0) / 2, 12);
    expect(evaluation.coverage).toBe(3 / 3);
    expect(evaluation.distinctLists).toBe(3 / 3);
    // Popularity lists: h1 [p1, p3]; h2 [p1]; h3 [p1, p3]: the same precision here, less coverage, fewer lists.
    expect(evaluation.baseline.precisionAt10).toBeCloseTo(0.05, 12);
    expect(evaluation.baseline.recallAt10).toBeCloseTo(0.5, 12);
    expect(evaluation.baseline.coverage).toBe(2 / 3);
    expect(evaluation.baseline.distinctLists).toBe(2 / 3);
  });
});
