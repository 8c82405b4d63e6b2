import { describe, expect, it } from "vitest";
import { buildCatalog, CATEGORIES, PRODUCTS_PER_CATEGORY } from "#shared/sim/index.js";

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

describe("buildCatalog", () => {
  const catalog = buildCatalog(42);

  it("holds 200 products, 20 in each of the 10 categories, with unique ids, SKUs and names", () => {
    expect(catalog).toHaveLength(200);
    for (const category of CATEGORIES) {
      expect(catalog.filter((p) => p.category === category)).toHaveLength(PRODUCTS_PER_CATEGORY);
    }
    expect(new Set(catalog.map((p) => p.productId)).size).toBe(200);
    expect(new Set(catalog.map((p) => p.sku)).size).toBe(200);
    expect(new Set(catalog.map((p) => p.name)).size).toBe(200);
  });

  it("prices in USD with two decimals, log-normal by category", () => {
    for (const p of catalog) {
      expect(p.currency).toBe("USD");
      expect(p.price).toBeGreaterThan(0);
      expect(Math.round(p.price * 100) / 100).toBe(p.price);
    }
    const medianOf = (category: string): number =>
      median(catalog.filter((p) => p.category === category).map((p) => p.price));
    expect(medianOf("electronics")).toBeGreaterThan(3 * medianOf("grocery"));
    expect(medianOf("books")).toBeGreaterThan(medianOf("grocery"));
  });

  it("keeps most products in stock, not all", () => {
    const inStock = catalog.filter((p) => p.inStock).length;
    expect(inStock).toBeGreaterThan(170);
    expect(inStock).toBeLessThan(200);
  });

  it("gives Zipf-like popularity: one top product, the top 10 % holding a large share", () => {
    const popularity = catalog.map((p) => p.popularity).sort((a, b) => b - a);
    expect(popularity[0]).toBe(1);
    expect(popularity.every((x) => x > 0 && x <= 1)).toBe(true);
    const total = popularity.reduce((a, b) => a + b, 0);
    const top = popularity.slice(0, 20).reduce((a, b) => a + b, 0);
    expect(top / total).toBeGreaterThan(0.5);
    // Rank r has popularity about 1/r.
    expect(popularity[9]).toBeCloseTo(1 / 10 ** 1.07, 6);
  });

  it("links pages and images under https://example.com/", () => {
    for (const p of catalog) {
      expect(p.url).toMatch(/^https:\/\/example\.com\/products\/[a-z0-9-]+$/);
      expect(p.imageUrl).toBe(`https://example.com/images/products/${p.productId}.jpg`);
    }
  });

  it("is the same for the same seed and differs for another", () => {
    expect(buildCatalog(42)).toEqual(catalog);
    expect(buildCatalog(43)).not.toEqual(catalog);
  });
});
