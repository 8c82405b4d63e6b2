import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CachedCatalog } from "#shared/app/catalog/cached-catalog.js";
import { productHash } from "#shared/app/catalog/product-hash.js";
import { DynamoCatalog } from "#shared/aws/dynamo-catalog.js";
import type { CatalogProduct, StoredCatalogProduct } from "#shared/ports.js";
import { createCatalogTable } from "../support/catalog-table.js";
import { startDynalite } from "../support/dynamo-table.js";

let emulator: Awaited<ReturnType<typeof startDynalite>>;
let store: DynamoCatalog;

function product(i: number, over: Partial<CatalogProduct> = {}): CatalogProduct {
  return {
    productId: `p-${String(i).padStart(3, "0")}`,
    name: `Product ${i}`,
    brand: "Acme",
    category: i % 2 === 0 ? "even" : "odd",
    price: 10 + i,
    currency: "USD",
    inStock: i % 5 !== 0,
    popularity: (i % 50) / 50,
    url: `https://shop.example.com/${i}`,
    imageUrl: `https://shop.example.com/${i}.jpg`,
    ...over,
  };
}
const stored = (p: CatalogProduct, retired = false): StoredCatalogProduct => ({
  product: p,
  hash: productHash(p),
  retired,
});

beforeAll(async () => {
  emulator = await startDynalite();
  await createCatalogTable(emulator.client, "catalog");
  store = new DynamoCatalog({ client: emulator.client, tableName: "catalog" });
  // 230 products: more than one BatchGetItem (100) and many BatchWriteItems (25).
  const all = Array.from({ length: 230 }, (_, i) => stored(product(i), i === 49));
  const { writeUnits } = await store.putMany(all);
  expect(writeUnits).toBeGreaterThanOrEqual(230);
}, 60_000);

afterAll(async () => emulator?.stop());

describe("DynamoCatalog on dynalite", () => {
  it("reads products by id in chunks of 100, unknown ids left out", async () => {
    const ids = [...Array.from({ length: 230 }, (_, i) => product(i).productId), "nope"];
    const found = await store.getMany(ids);
    expect(found.size).toBe(230);
    expect(found.get("p-007")).toMatchObject({ name: "Product 7", price: 17 });
  });

  it("ranks best sellers from the sparse indexes: available products only, by popularity then id", async () => {
    const expected = Array.from({ length: 230 }, (_, i) => product(i))
      .filter((p, i) => p.inStock && i !== 49)
      .sort((a, b) => b.popularity - a.popularity || (a.productId < b.productId ? -1 : 1));
    const top = await store.bestSellers({ limit: 8 });
    expect(top.map((p) => p.productId)).toEqual(expected.slice(0, 8).map((p) => p.productId));
    const excluded = new Set(expected.slice(0, 3).map((p) => p.productId));
    const rest = await store.bestSellers({ limit: 4, exclude: excluded });
    expect(rest.map((p) => p.productId)).toEqual(expected.slice(3, 7).map((p) => p.productId));
    const odd = await store.bestSellers({ limit: 5, category: "odd" });
    expect(odd.every((p) => p.category === "odd" && p.inStock)).toBe(true);
    expect(odd.map((p) => p.productId)).toEqual(
      expected
        .filter((p) => p.category === "odd")
        .slice(0, 5)
        .map((p) => p.productId),
    );
  });

  it("indexes every product for an import, and writes conditionally on the hash it read", async () => {
    let entries = 0;
    for await (const page of store.index()) entries += page.length;
    expect(entries).toBe(230);
    const before = (await store.getStored(["p-001"])).get("p-001");
    const changed = stored(product(1, { price: 5 }));
    expect(await store.putIf(changed, "not-the-hash")).toBe(false);
    expect(await store.putIf(changed, before?.hash)).toBe(true);
    expect((await store.getMany(["p-001"])).get("p-001")?.price).toBe(5);
    expect(await store.putIf(stored(product(999)), undefined)).toBe(true);
    expect(await store.putIf(stored(product(999)), undefined)).toBe(false);
  });

  it("is read through a cache of bounded age: a change shows once the cached copy is older than the age", async () => {
    let now = 0;
    const cached = new CachedCatalog({ catalog: store, clock: { now: () => now }, maxAgeMs: 300_000 });
    expect((await cached.getMany(["p-002"])).get("p-002")?.price).toBe(12);
    const first = (await cached.bestSellers({ limit: 1 }))[0]?.productId;
    await store.putMany([stored(product(2, { price: 1 }))]);
    now = 299_000;
    expect((await cached.getMany(["p-002"])).get("p-002")?.price).toBe(12);
    now = 301_000;
    expect((await cached.getMany(["p-002"])).get("p-002")?.price).toBe(1);
    expect((await cached.bestSellers({ limit: 1 }))[0]?.productId).toBe(first);
  });
});
