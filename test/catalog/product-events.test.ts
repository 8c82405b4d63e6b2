import { describe, expect, it } from "vitest";
import { InMemoryCatalogStore } from "#shared/app/catalog/in-memory-catalog-store.js";
import { productHash } from "#shared/app/catalog/product-hash.js";
import { type IngestRecord, ingestBatch } from "#shared/app/ingest-batch.js";
import type { CatalogChange } from "#shared/domain/catalog/index.js";
import type { CatalogProduct } from "#shared/ports.js";
import { InMemoryProfileStore, InMemoryQuarantine } from "../fakes/in-memory-stores.js";

const NOW = Date.UTC(2026, 11, 6, 12);
let sequence = 0;

function record(payload: unknown): IngestRecord {
  sequence++;
  return {
    sequenceNumber: String(sequence).padStart(12, "0"),
    partitionKey: "p-1",
    shardId: "shardId-000000000000",
    data: new TextEncoder().encode(JSON.stringify(payload)),
    approximateArrivalTimestamp: NOW - 1000,
  };
}

function productUpdated(properties: Record<string, unknown>, minutesAgo: number, n = sequence) {
  return {
    type: "track",
    event: "Product Updated",
    messageId: `pu-${n}-${minutesAgo}`,
    anonymousId: "catalog-service",
    timestamp: new Date(NOW - minutesAgo * 60_000).toISOString(),
    properties,
  };
}

const gloves: CatalogProduct = {
  productId: "p-1",
  name: "Garden gloves",
  brand: "Acme",
  category: "garden",
  price: 20,
  currency: "USD",
  inStock: false,
  popularity: 0.4,
  url: "https://shop.example.com/p-1",
  imageUrl: "https://shop.example.com/p-1.jpg",
  prices: { EUR: 18, USD: 20 },
  updatedAt: NOW - 3_600_000,
};

function setup() {
  const profiles = new InMemoryProfileStore();
  const quarantine = new InMemoryQuarantine();
  const store = new InMemoryCatalogStore([{ product: gloves, hash: productHash(gloves), retired: false }]);
  const published: CatalogChange[] = [];
  const changes = { publish: async (list: readonly CatalogChange[]) => void published.push(...list) };
  const deps = { profiles, quarantine, clock: { now: () => NOW }, catalog: { store, changes } };
  return { profiles, quarantine, store, published, deps };
}

describe("Product Updated events in ingest", () => {
  it("update the catalog (partial, merged, last writer by event time) and publish the changes, making no profile", async () => {
    const { deps, profiles, store, published } = setup();
    const { failed, summary } = await ingestBatch(deps, [
      record(productUpdated({ product_id: "p-1", stock: 12 }, 10)),
      record(productUpdated({ product_id: "p-1", price: 15.5, currency: "EUR" }, 5)),
      // Older than the catalog's last change of the product: stale, the newer state wins.
      record(productUpdated({ product_id: "p-1", in_stock: false, price: 1 }, 90)),
    ]);
    expect(failed.size).toBe(0);
    expect(summary).toMatchObject({
      productEvents: 3,
      productEventsStale: 1,
      catalogChanges: 2,
      customers: 0,
    });
    expect(await profiles.get("catalog-service")).toBeUndefined();
    const stored = (await store.getStored(["p-1"])).get("p-1")?.product;
    expect(stored).toMatchObject({
      inStock: true,
      stock: 12,
      price: 20,
      prices: { EUR: 15.5, USD: 20 },
      name: "Garden gloves",
      updatedAt: NOW - 5 * 60_000,
    });
    expect(published).toEqual([
      { kind: "back-in-stock", productId: "p-1", at: NOW - 5 * 60_000 },
      {
        kind: "price-drop",
        productId: "p-1",
        at: NOW - 5 * 60_000,
        currency: "EUR",
        before: 18,
        after: 15.5,
      },
    ]);

    // Redelivered: the same events change nothing and publish nothing again.
    published.length = 0;
    const again = await ingestBatch(deps, [record(productUpdated({ product_id: "p-1", stock: 12 }, 10))]);
    expect(again.summary).toMatchObject({ productEventsStale: 1, catalogChanges: 0 });
    expect(published).toEqual([]);
  });

  it("quarantines a product event that cannot update a product, naming the field and rule", async () => {
    const { deps, quarantine, store } = setup();
    const { failed, summary } = await ingestBatch(deps, [
      record(productUpdated({ product_id: "p-1", price: -3 }, 1)),
      record(productUpdated({ product_id: "p-new", price: 3 }, 1)),
    ]);
    expect(failed.size).toBe(0);
    expect(summary.quarantined).toBe(2);
    expect(quarantine.records.map((r) => r.reason)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Product Updated: properties\.price: /),
        "Product Updated: properties: a product not in the catalog yet needs name, price, currency and url",
      ]),
    );
    expect((await store.getStored(["p-new"])).size).toBe(0);
  });

  it("fails the records back when the catalog cannot be written, and drops them without a catalog", async () => {
    const { deps, store } = setup();
    store.putIf = async () => {
      throw new Error("throttled");
    };
    const batch = [record(productUpdated({ product_id: "p-1", stock: 1 }, 1))];
    expect((await ingestBatch(deps, batch)).failed.size).toBe(1);
    const { catalog: _, ...withoutCatalog } = deps;
    const dropped = await ingestBatch(withoutCatalog, batch);
    expect(dropped.summary).toMatchObject({ productEventsIgnored: 1, customers: 0 });
  });
});
