import { describe, expect, it } from "vitest";
import { InMemoryCatalog } from "#shared/app/in-memory-catalog.js";
import { recommendProducts } from "#shared/app/recommendations.js";
import { BOUGHT_PRODUCTS_MAX, DAY_MS, foldEvents, type Profile } from "#shared/domain/profile/index.js";
import type { CatalogProduct } from "#shared/ports.js";
import { NOW, parsed, rawProduct, rawTrack } from "../factories/events.js";

const order = (id: string, productIds: readonly string[], at: number) =>
  parsed(
    rawTrack(
      "Order Completed",
      {
        order_id: id,
        total: 10 * productIds.length,
        currency: "USD",
        products: productIds.map((productId) => rawProduct({ product_id: productId, category: "books" })),
      },
      { messageId: `m-${id}`, timestamp: at },
    ),
  );

describe("bought products", () => {
  it("remembers what was bought long after the recent windows have let it go, newest order first", () => {
    const first = foldEvents(
      undefined,
      "user-1",
      [order("o1", ["p1", "p2"], NOW - 200 * DAY_MS)],
      NOW,
    ).profile;
    const second = foldEvents(first, "user-1", [order("o2", ["p3", "p1"], NOW - DAY_MS)], NOW).profile;

    expect(second.bp).toEqual(["p3", "p1", "p2"]);
    expect(second.pc?.some((activity) => activity.i === "p2") ?? false).toBe(false);
  });

  it("lets a late older order fill only the room left, never push newer purchases out", () => {
    const recent = Array.from({ length: BOUGHT_PRODUCTS_MAX }, (_, i) => `new-${i}`);
    const full = foldEvents(undefined, "user-1", [order("o-new", recent, NOW - DAY_MS)], NOW).profile;

    const late = foldEvents(full, "user-1", [order("o-old", ["old-1"], NOW - 90 * DAY_MS)], NOW).profile;

    expect(late.bp).toEqual(recent);
  });

  it("keeps recommendations free of products bought months ago", async () => {
    const profile: Profile = foldEvents(
      undefined,
      "user-1",
      [order("o1", ["p1"], NOW - 120 * DAY_MS)],
      NOW,
    ).profile;
    const products: CatalogProduct[] = ["p1", "p2", "p3"].map((productId, rank) => ({
      productId,
      name: productId,
      brand: "Acme",
      category: "books",
      price: 1000,
      currency: "USD",
      inStock: true,
      popularity: 1 - rank / 10,
      url: `https://example.com/${productId}`,
      imageUrl: `https://example.com/${productId}.png`,
    }));
    const catalog = new InMemoryCatalog(products);

    const { products: chosen } = await recommendProducts({ catalog }, profile, { limit: 2, now: NOW });

    expect(chosen.map((p) => p.productId)).toEqual(["p2", "p3"]);
  });
});
