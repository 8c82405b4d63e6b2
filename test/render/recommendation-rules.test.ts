import { describe, expect, it } from "vitest";
import { prepareEmailContext } from "#shared/app/email-context.js";
import { InMemoryCatalog } from "#shared/app/in-memory-catalog.js";
import { categoryCap } from "#shared/app/recommendation-rules.js";
import { recommendProducts } from "#shared/app/recommendations.js";
import { DAY_MS, emptyProfile, foldEvents, type Profile } from "#shared/domain/profile/index.js";
import type { CatalogProduct, Recommender } from "#shared/ports.js";
import { PREVIEW_LINKS, PREVIEW_SHOP } from "#shared/render/preview-settings.js";
import { catalogProduct } from "../factories/catalog.js";
import { NOW, parsed, rawProduct, rawTrack } from "../factories/events.js";

const product = catalogProduct;

/** A model that answers these ids, whoever asks. */
const fixed = (ids: readonly string[]): Recommender => ({ recommend: async () => ids });

/** A customer who ordered `productIds` at `at`, paying in `currency`. */
function buyer(productIds: readonly string[], at: number, currency = "USD", category = "books"): Profile {
  const order = rawTrack(
    "Order Completed",
    {
      order_id: `o-${at}`,
      total: 10 * productIds.length,
      currency,
      products: productIds.map((id) => rawProduct({ product_id: id, category, price: 10 })),
    },
    { messageId: `m-${at}`, timestamp: at },
  );
  return foldEvents(undefined, "user-1", [parsed(order)], NOW).profile;
}

const ids = (products: readonly CatalogProduct[]) => products.map((p) => p.productId);

describe("recommendation rules", () => {
  it("never recommends an out-of-stock product, whether the flag or the stock count says so", async () => {
    const catalog = new InMemoryCatalog([
      product("a", "books", 0.9, { inStock: false }),
      product("b", "home", 0.8, { stock: 0 }),
      product("c", "toys", 0.7, { stock: 3 }),
    ]);
    const result = await recommendProducts(
      { catalog, recommender: fixed(["a", "b", "c"]) },
      emptyProfile("c-1", NOW),
      { limit: 3, now: NOW },
    );
    expect(ids(result.products)).toEqual(["c"]);
  });

  it("never recommends a product the customer bought, even one bought long ago", async () => {
    const catalog = new InMemoryCatalog([product("a", "books", 0.9), product("b", "home", 0.8)]);
    const profile = buyer(["a"], NOW - 400 * DAY_MS);
    const result = await recommendProducts({ catalog, recommender: fixed(["a", "b"]) }, profile, {
      limit: 2,
      now: NOW,
    });
    expect(ids(result.products)).toEqual(["b"]);
  });

  it("recommends a replenishable product again once replenishDays have passed since its last purchase", async () => {
    const catalog = new InMemoryCatalog([
      product("coffee", "grocery", 0.9, { replenishDays: 30 }),
      product("mug", "home", 0.8),
    ]);
    const recommender = fixed(["coffee", "mug"]);
    const boughtAt = NOW - 60 * DAY_MS;
    const profile = buyer(["coffee"], boughtAt, "USD", "grocery");
    expect(profile.bt).toEqual([boughtAt]);
    const at = async (now: number) =>
      ids((await recommendProducts({ catalog, recommender }, profile, { limit: 2, now })).products);
    expect(await at(boughtAt + 29 * DAY_MS)).toEqual(["mug"]);
    expect(await at(boughtAt + 30 * DAY_MS)).toEqual(["coffee", "mug"]);
    // Bought again 15 days later: the 30 days count from the last purchase, so 40 days after the first is too early.
    const again = foldEvents(
      profile,
      "user-1",
      [
        parsed(
          rawTrack(
            "Order Completed",
            { order_id: "o-2", total: 10, currency: "USD", products: [rawProduct({ product_id: "coffee" })] },
            { messageId: "m-2", timestamp: boughtAt + 15 * DAY_MS },
          ),
        ),
      ],
      NOW,
    ).profile;
    expect(again.bt).toEqual([boughtAt + 15 * DAY_MS]);
    const later = await recommendProducts({ catalog, recommender }, again, {
      limit: 2,
      now: boughtAt + 40 * DAY_MS,
    });
    expect(ids(later.products)).toEqual(["mug"]);
  });

  it("takes at most ⌈k/2⌉ products of one category while others are left, and fills from them only when nothing else is", async () => {
    const books = ["b1", "b2", "b3", "b4", "b5"].map((id, i) => product(id, "books", 1 - i / 10));
    const catalog = new InMemoryCatalog([...books, product("h1", "home", 0.2), product("t1", "toys", 0.1)]);
    const result = await recommendProducts(
      { catalog, recommender: fixed(["b1", "b2", "b3", "b4", "b5", "h1"]) },
      emptyProfile("c-1", NOW),
      { limit: 5, now: NOW },
    );
    expect(categoryCap(5)).toBe(3);
    expect(ids(result.products)).toEqual(["b1", "b2", "b3", "h1", "t1"]);
    const onlyBooks = await recommendProducts(
      { catalog: new InMemoryCatalog(books) },
      emptyProfile("c-2", NOW),
      {
        limit: 4,
        now: NOW,
      },
    );
    expect(ids(onlyBooks.products)).toEqual(["b1", "b2", "b3", "b4"]);
  });

  it("shows products in the customer's currency, and leaves out those sold in other markets only", async () => {
    const catalog = new InMemoryCatalog([
      product("eu", "books", 0.9, { prices: { USD: 10, EUR: 9.5 } }),
      product("uk-us", "home", 0.8, { prices: { USD: 12, GBP: 9 } }),
      product("plain", "toys", 0.7, { price: 7.25 }),
      product("eur-only", "garden", 0.6, { price: 4, currency: "EUR" }),
    ]);
    const german = buyer(["x"], NOW - DAY_MS, "EUR");
    const { context, recommendations } = await prepareEmailContext(
      { catalog },
      {
        profile: german,
        now: NOW,
        campaign: { id: "c", name: "C" },
        variant: "a",
        links: PREVIEW_LINKS,
        shop: PREVIEW_SHOP,
        recommendations: 4,
      },
    );
    expect(recommendations.currency).toBe("EUR");
    expect(context.recommendations.map((p) => [p.id, p.price, p.currency])).toEqual([
      ["eu", 9.5, "EUR"],
      ["plain", 7.25, "USD"],
      ["eur-only", 4, "EUR"],
    ]);
    const american = await recommendProducts({ catalog }, buyer(["x"], NOW - DAY_MS, "USD"), {
      limit: 4,
      now: NOW,
    });
    // A product with one currency is sold at that price to everyone; one sold in USD and GBP is not for a EUR buyer.
    expect(ids(american.products)).toEqual(["eu", "uk-us", "plain", "eur-only"]);
  });
});
