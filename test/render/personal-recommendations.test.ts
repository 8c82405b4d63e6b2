import { describe, expect, it } from "vitest";
import { InMemoryCatalog } from "#shared/app/in-memory-catalog.js";
import { recommendProducts } from "#shared/app/recommendations.js";
import { personalSignals, recommendItems, trainCooccurrence } from "#shared/domain/models/index.js";
import { DAY_MS, emptyProfile, foldEvents, type Profile } from "#shared/domain/profile/index.js";
import type { Recommender } from "#shared/ports.js";
import { catalogProduct } from "../factories/catalog.js";
import { NOW, parsed, rawEvents, rawProduct, rawTrack } from "../factories/events.js";

const CATEGORY: Readonly<Record<string, string>> = { b: "books", g: "garden", t: "toys" };
const categoryOf = (id: string) => CATEGORY[id.charAt(0)] ?? "other";

const product = (id: string, popularity: number) => catalogProduct(id, categoryOf(id), popularity);

// Garden gloves (g1) are the shop's best seller; readers buy books together, gardeners garden things.
const catalog = new InMemoryCatalog([
  product("g1", 1),
  product("g2", 0.9),
  product("g3", 0.8),
  product("t1", 0.7),
  product("b1", 0.5),
  product("b2", 0.4),
  product("b3", 0.3),
  product("b4", 0.2),
]);
const baskets = [
  ["b1", "b2", "b3"],
  ["b1", "b2", "b4"],
  ["b2", "b3", "b4"],
  ["g1", "g2", "g3"],
  ["g1", "g2"],
  ["g1", "g3", "t1"],
  ["g1", "t1"],
];
const model = trainCooccurrence(baskets, {
  categoryOf: new Map(baskets.flat().map((id) => [id, categoryOf(id)])),
});
/** The model server's answer, in process: the same domain function over the adapter's request signals. */
const recommender: Recommender = {
  recommend: async ({ profile, limit }) =>
    recommendItems(model, personalSignals(profile, NOW), limit).map(([id]) => id),
};

function customer(id: string, events: readonly Record<string, unknown>[]): Profile {
  return foldEvents(
    undefined,
    id,
    events.map((event) => parsed(event)),
    NOW,
  ).profile;
}

const order = (user: string, productIds: readonly string[], at: number) =>
  rawTrack(
    "Order Completed",
    {
      order_id: `o-${user}-${at}`,
      total: 10 * productIds.length,
      currency: "USD",
      products: productIds.map((id) => rawProduct({ product_id: id, category: categoryOf(id), price: 10 })),
    },
    { messageId: `m-${user}-${at}`, timestamp: at, userId: user },
  );
const view = (user: string, id: string, at: number) =>
  rawEvents.productViewed(
    { product_id: id, category: categoryOf(id) },
    { messageId: `v-${user}-${id}`, timestamp: at, userId: user },
  );

describe("personal recommendations", () => {
  it("gives two customers with disjoint histories different lists, each from their own history", async () => {
    const reader = customer("reader", [
      view("reader", "b1", NOW - DAY_MS),
      view("reader", "b2", NOW - 2 * DAY_MS),
    ]);
    const gardener = customer("gardener", [
      view("gardener", "g2", NOW - DAY_MS),
      view("gardener", "g3", NOW - DAY_MS),
    ]);
    const [forReader, forGardener] = await Promise.all(
      [reader, gardener].map((profile) =>
        recommendProducts({ catalog, recommender }, profile, { limit: 4, now: NOW }),
      ),
    );
    const readerIds = forReader?.products.map((p) => p.productId) ?? [];
    const gardenerIds = forGardener?.products.map((p) => p.productId) ?? [];
    expect(readerIds).not.toEqual(gardenerIds);
    expect(readerIds.slice(0, 2).every((id) => categoryOf(id) === "books")).toBe(true);
    expect(gardenerIds.slice(0, 2).every((id) => categoryOf(id) === "garden")).toBe(true);
    expect(forReader?.basis).toBe("activity");
    expect(forReader?.sources.model).toBe(4);
  });

  it("recommends books first to a customer who bought only books, never the best-selling garden gloves first", async () => {
    const buyer = customer("buyer", [order("buyer", ["b1"], NOW - 2 * DAY_MS)]);
    const result = await recommendProducts({ catalog, recommender }, buyer, { limit: 4, now: NOW });
    const ids = result.products.map((p) => p.productId);
    expect(ids).not.toContain("b1");
    // b1's neighbours b2 (in 2 of b1's 2 baskets) and b3, b4 (1 each), then the rules' cap of ⌈4/2⌉ per category.
    expect(ids.slice(0, 2)).toEqual(["b2", "b3"]);
    expect(ids.filter((id) => categoryOf(id) === "books")).toHaveLength(2);
    expect(result.basis).toBe("order");
  });

  it("weights a purchase over a view, and a recent signal over an old one", () => {
    const profile = customer("mixed", [
      view("mixed", "b1", NOW - 60 * DAY_MS),
      view("mixed", "g1", NOW - DAY_MS),
      order("mixed", ["t1"], NOW - 30 * DAY_MS),
    ]);
    const { seeds } = personalSignals(profile, NOW);
    // t1: 5 × ½ (30 days); g1: 1 × ½^(1/30); b1 decays from the last view of any product (1 day), one rank down.
    expect(seeds.map((seed) => [seed.productId, seed.kind])).toEqual([
      ["t1", "purchase"],
      ["g1", "view"],
      ["b1", "view"],
    ]);
    expect(seeds[0]?.weight).toBeCloseTo(2.5, 3);
    expect(seeds[1]?.weight).toBeCloseTo(2 ** (-1 / 30), 3);
    expect(seeds[2]?.weight).toBeCloseTo(0.9 * 2 ** (-1 / 30), 3);
  });

  it("falls back to popularity only when there is nothing personal, and says so", async () => {
    const result = await recommendProducts({ catalog, recommender }, emptyProfile("new", NOW), {
      limit: 2,
      now: NOW,
    });
    // Best sellers by baskets: g1 (4), then b2 (3); one per category in a list of two.
    expect(result.products.map((p) => p.productId)).toEqual(["g1", "b2"]);
    expect(result.basis).toBe("popular");
  });
});
