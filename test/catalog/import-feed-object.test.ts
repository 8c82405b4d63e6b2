import { describe, expect, it } from "vitest";
import {
  FeedObjectError,
  type FeedObjects,
  importFeedObject,
} from "#shared/app/catalog/import-feed-object.js";
import { InMemoryCatalogStore } from "#shared/app/catalog/in-memory-catalog-store.js";
import { feedLocationOf } from "#shared/app/catalog-feed/feed-location.js";

const FEED = [
  "id,title,link,price,availability",
  "a,A,https://s.example/a,1.00 USD,in stock",
  "b,B,https://s.example/b,2.00 USD,in stock",
  "c,C,https://s.example/c,3.00 USD,in stock",
].join("\n");

function bucket(objects: Record<string, string>): FeedObjects & { written: Record<string, string> } {
  const written: Record<string, string> = {};
  return {
    written,
    open: async (key) => {
      const text = objects[key] ?? written[key];
      if (text === undefined) throw new Error(`no ${key}`);
      return (async function* () {
        yield Buffer.from(text);
      })();
    },
    readText: async (key) => objects[key] ?? written[key] ?? "",
    writeJson: async (key, value) => {
      written[key] = JSON.stringify(value);
    },
  };
}

describe("importFeedObject", () => {
  it("stops near the end of its time with a checkpoint, and the checkpoint's import finishes the feed", async () => {
    const store = new InMemoryCatalogStore();
    const objects = bucket({ "feeds/shop.csv": FEED });
    const deps = { store, clock: { now: () => 1 }, objects };
    let remaining = 200_000;
    const first = await importFeedObject(deps, "feeds/shop.csv", () => (remaining -= 60_000));
    expect(first.checkpointKey).toBe("checkpoints/feeds/shop.csv.json");
    expect(first.report).toMatchObject({ stoppedAtRow: 2, new: 2 });
    const rest = await importFeedObject(deps, "checkpoints/feeds/shop.csv.json", () => 900_000);
    expect(rest).toMatchObject({ feedKey: "feeds/shop.csv", report: { read: 1, new: 1, retired: 0 } });
    expect(rest.checkpointKey).toBeUndefined();
    expect(
      store
        .all()
        .map((s) => s.product.productId)
        .sort(),
    ).toEqual(["a", "b", "c"]);
  });

  it("refuses an object that is no feed, and reads market feeds from their folders", async () => {
    const deps = { store: new InMemoryCatalogStore(), clock: { now: () => 1 }, objects: bucket({}) };
    await expect(importFeedObject(deps, "feeds/shop.pdf", () => 900_000)).rejects.toThrow(FeedObjectError);
    expect(feedLocationOf("feeds/market=de-DE/currency=eur/prices.csv.gz")).toEqual({
      format: "csv",
      gzip: true,
      market: "de-DE",
      currency: "EUR",
    });
    expect(feedLocationOf("feeds/x/currency=EURO/p.csv")).toMatchObject({
      error: expect.stringMatching(/currency=/),
    });
  });
});
