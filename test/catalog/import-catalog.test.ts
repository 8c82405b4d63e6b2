import { describe, expect, it } from "vitest";
import { importCatalog } from "#shared/app/catalog/import-catalog.js";
import { InMemoryCatalogStore } from "#shared/app/catalog/in-memory-catalog-store.js";
import type { RowOutcome } from "#shared/app/catalog-feed/product-from-fields.js";
import type { CatalogChange } from "#shared/domain/catalog/index.js";
import type { CatalogProduct } from "#shared/ports.js";

function product(id: string, over: Partial<CatalogProduct> = {}): CatalogProduct {
  return {
    productId: id,
    name: `Product ${id}`,
    brand: "Acme",
    category: "garden",
    price: 10,
    currency: "USD",
    inStock: true,
    popularity: 0.5,
    url: `https://shop.example.com/${id}`,
    imageUrl: `https://shop.example.com/${id}.jpg`,
    ...over,
  };
}

async function* rows(...outcomes: RowOutcome[]): AsyncGenerator<RowOutcome> {
  yield* outcomes;
}
const ok = (p: CatalogProduct): RowOutcome => ({ ok: true, product: p });

function harness(now = 1_000) {
  const store = new InMemoryCatalogStore();
  const published: CatalogChange[] = [];
  const deps = {
    store,
    clock: { now: () => now },
    changes: { publish: async (changes: readonly CatalogChange[]) => void published.push(...changes) },
  };
  return { store, published, deps };
}

describe("importCatalog", () => {
  it("writes new and changed products, skips unchanged ones, retires those that left, and reports the changes", async () => {
    const { store, published, deps } = harness();
    const first = await importCatalog(
      deps,
      rows(ok(product("a")), ok(product("b", { inStock: false })), ok(product("c"))),
    );
    expect(first).toMatchObject({
      read: 3,
      new: 3,
      changed: 0,
      unchanged: 0,
      retired: 0,
      errors: 0,
      changes: 0,
    });
    expect(store.writes).toBe(3);
    expect(first.writeUnits).toBeGreaterThanOrEqual(3);

    const second = await importCatalog(
      deps,
      rows(ok(product("a", { price: 8, prices: { EUR: 9, USD: 8 } })), ok(product("b")), ok(product("d"))),
    );
    expect(second).toMatchObject({ read: 3, new: 1, changed: 2, unchanged: 0, retired: 1, changes: 2 });
    expect(published).toEqual([
      { kind: "price-drop", productId: "a", at: 1_000, currency: "USD", before: 10, after: 8 },
      { kind: "back-in-stock", productId: "b", at: 1_000 },
    ]);
    const c = (await store.getStored(["c"])).get("c");
    expect(c).toMatchObject({ retired: true, product: { inStock: false } });
    expect(await store.bestSellers({ limit: 10 })).not.toContainEqual(
      expect.objectContaining({ productId: "c" }),
    );

    const writesBefore = store.writes;
    const third = await importCatalog(
      deps,
      rows(ok(product("a", { price: 8, prices: { EUR: 9, USD: 8 } })), ok(product("b")), ok(product("d"))),
    );
    expect(third).toMatchObject({ unchanged: 3, new: 0, changed: 0, retired: 0, writeUnits: 0 });
    expect(store.writes).toBe(writesBefore);
  });

  it("counts row errors and duplicates without aborting, and never retires a product whose row failed", async () => {
    const { store, deps } = harness();
    await importCatalog(deps, rows(ok(product("a")), ok(product("b")), ok(product("c"))));
    const report = await importCatalog(
      deps,
      rows(
        ok(product("a")),
        { ok: false, error: { line: 3, field: "price", rule: "required", productId: "b" } },
        ok(product("a", { price: 1 })),
        ok(product("c")),
      ),
    );
    expect(report).toMatchObject({ read: 4, errors: 2, retired: 0, unchanged: 2 });
    expect(report.errorSamples.map((error) => error.rule)).toEqual([
      "required",
      "duplicate: the first row wins",
    ]);
    expect((await store.getStored(["b"])).get("b")?.retired).toBe(false);
  });

  it("skips retirement when the feed lost more than half the catalog, and says why", async () => {
    const { store, deps } = harness();
    await importCatalog(deps, rows(...["a", "b", "c", "d"].map((id) => ok(product(id)))));
    const report = await importCatalog(deps, rows(ok(product("a"))));
    expect(report.retired).toBe(0);
    expect(report.retirementSkipped).toMatch(/3 of 4 products are missing/);
    expect((await store.getStored(["b"])).get("b")?.retired).toBe(false);
    expect((await importCatalog(deps, rows(ok(product("a"))), { maxRetireShare: 1 })).retired).toBe(3);
  });

  it("merges a market feed's prices and links into the products, and a dry run writes nothing", async () => {
    const { store, published, deps } = harness();
    await importCatalog(deps, rows(ok(product("a", { prices: { EUR: 12, USD: 10 } }))));
    const dry = await importCatalog(deps, rows(ok(product("a", { price: 9, currency: "EUR" }))), {
      market: "de-DE",
      dryRun: true,
    });
    expect(dry).toMatchObject({ changed: 1, changes: 1 });
    expect(published).toEqual([]);
    const report = await importCatalog(
      deps,
      rows(
        ok(product("a", { price: 9, currency: "EUR", url: "https://shop.example.com/de/a" })),
        ok(product("zz")),
      ),
      { market: "de-DE" },
    );
    expect(report).toMatchObject({ changed: 1, errors: 1, retired: 0 });
    const a = (await store.getStored(["a"])).get("a")?.product;
    expect(a).toMatchObject({
      price: 10,
      currency: "USD",
      prices: { EUR: 9, USD: 10 },
      urls: { "de-DE": "https://shop.example.com/de/a" },
    });
    expect(published).toEqual([
      { kind: "price-drop", productId: "a", at: 1_000, currency: "EUR", before: 12, after: 9 },
    ]);
  });

  it("stops where told and resumes from that row without retiring what the first part saw", async () => {
    const { store, deps } = harness();
    await importCatalog(deps, rows(...["a", "b", "c"].map((id) => ok(product(id)))));
    const feed = () => rows(...["a", "b", "c"].map((id) => ok(product(id, { price: 5 }))));
    let reads = 0;
    const first = await importCatalog(deps, feed(), { shouldStop: () => ++reads >= 2 });
    expect(first).toMatchObject({ stoppedAtRow: 2, changed: 2, retired: 0 });
    const rest = await importCatalog(deps, feed(), { startAtRow: 2 });
    expect(rest).toMatchObject({ read: 1, changed: 1, retired: 0 });
    expect(store.all().every((stored) => stored.product.price === 5 && !stored.retired)).toBe(true);
  });
});
