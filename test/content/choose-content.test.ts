import { describe, expect, it } from "vitest";
import {
  type ContentItem,
  chooseContent,
  contentInterests,
  translationKey,
} from "#shared/domain/catalog/index.js";
import { DAY_MS, foldEvents } from "#shared/domain/profile/index.js";
import { NOW, parsed, rawPage, rawTrack } from "#test/factories/events.js";

const item = (id: string, tags: string[], extra: Partial<ContentItem> = {}): ContentItem => ({
  id,
  kind: "article",
  title: id,
  summary: `About ${id}`,
  url: `https://shop.example/journal/${id}`,
  tags,
  publishedAt: NOW - 10 * DAY_MS,
  ...extra,
});
const ids = (chosen: readonly { item: ContentItem }[]) => chosen.map((entry) => entry.item.id);
const viewed = (category: string, daysAgo: number) =>
  parsed(
    rawTrack(
      "Product Viewed",
      { product_id: `p-${category}`, category },
      { timestamp: NOW - daysAgo * DAY_MS },
    ),
  );
const read = (id: string, keywords: string[], daysAgo: number) =>
  parsed(rawPage("Journal", { content_id: id, keywords }, { timestamp: NOW - daysAgo * DAY_MS }));
const profileOf = (events: ReturnType<typeof parsed>[]) =>
  foldEvents(undefined, "user-1", events, NOW).profile;

const LIBRARY = [
  item("garden-compost", ["garden"]),
  item("books-winter", ["books"]),
  item("toys-safety", ["toys"]),
  item("garden-books", ["garden", "books"], { publishedAt: NOW - 60 * DAY_MS }),
];

describe("chooseContent", () => {
  it("ranks items by overlap of their tags with the customer's interests", () => {
    const profile = profileOf([viewed("books", 2), viewed("books", 2), viewed("garden", 3)]);
    const chosen = chooseContent(LIBRARY, {
      interests: contentInterests(profile, NOW),
      locale: "en-US",
      now: NOW,
      limit: 3,
    });
    expect(ids(chosen)).toEqual(["garden-books", "books-winter", "garden-compost"]);
    expect(chosen[0]?.matched).toEqual(["books", "garden"]);
  });

  it("weighs recent activity above older activity of the same strength", () => {
    const recentGarden = profileOf([viewed("books", 20), viewed("garden", 1)]);
    const recentBooks = profileOf([viewed("garden", 20), viewed("books", 1)]);
    const pick = (events: typeof recentGarden) =>
      ids(
        chooseContent(LIBRARY.slice(0, 3), {
          interests: contentInterests(events, NOW),
          locale: "en",
          now: NOW,
          limit: 1,
        }),
      );
    expect(pick(recentGarden)).toEqual(["garden-compost"]);
    expect(pick(recentBooks)).toEqual(["books-winter"]);
  });

  it("counts content read as interest, and puts what was read after what was not", () => {
    const profile = profileOf([read("garden-compost", ["garden"], 1)]);
    const library = [...LIBRARY, item("garden-tools", ["garden"], { publishedAt: NOW - 30 * DAY_MS })];
    const chosen = chooseContent(library, {
      interests: contentInterests(profile, NOW),
      read: profile.cv ?? [],
      locale: "en",
      now: NOW,
      limit: 3,
    });
    expect(ids(chosen).slice(0, 2)).toEqual(["garden-tools", "garden-books"]);
    expect(ids(chosen)).not.toContain("garden-compost");
  });

  it("prefers the customer's locale, then the language, then the default, one translation per piece", () => {
    const library = [
      item("compost", ["garden"]),
      item("compost.fr", ["garden"], { locale: "fr" }),
      item("compost.fr-ca", ["garden"], { locale: "fr-CA" }),
      item("seeds.fr", ["garden"], { locale: "fr" }),
      item("tools", ["garden"], { publishedAt: NOW - DAY_MS }),
      item("pruning.de", ["garden"], { locale: "de" }),
    ];
    const interests = new Map([["garden", 1]]);
    const canadian = chooseContent(library, { interests, locale: "fr-CA", now: NOW, limit: 6 });
    expect(ids(canadian)).toEqual(["compost.fr-ca", "seeds.fr", "tools"]);
    const german = chooseContent(library, { interests, locale: "de-AT", now: NOW, limit: 6 });
    expect(ids(german)).toEqual(["pruning.de", "tools", "compost"]);
    const english = chooseContent(library, { interests, locale: "en-GB", now: NOW, limit: 6 });
    expect(ids(english)).toEqual(["tools", "compost"]);
    expect(translationKey({ id: "compost.fr-ca", locale: "fr-CA" })).toBe("compost");
  });

  it("never repeats an item (or a translation of it) sent in the last email", () => {
    const profile = profileOf([viewed("garden", 1)]);
    const input = { interests: contentInterests(profile, NOW), locale: "fr", now: NOW, limit: 1 };
    const library = [...LIBRARY, item("garden-compost.fr", ["garden"], { locale: "fr" })];
    const first = ids(chooseContent(library, input));
    const second = ids(chooseContent(library, { ...input, recentlySent: first }));
    expect(first).toEqual(["garden-compost.fr"]);
    expect(second).toEqual(["garden-books"]);
    expect(ids(chooseContent(library, { ...input, recentlySent: ["garden-compost"] }))).toEqual([
      "garden-books",
    ]);
  });

  it("falls back to the newest items without interests, and to nothing without a library", () => {
    const library = [
      item("old", ["books"], { publishedAt: NOW - 90 * DAY_MS }),
      item("undated", ["books"], { publishedAt: undefined }),
      item("new", ["toys"], { publishedAt: NOW - DAY_MS }),
      item("newer", ["garden"], { publishedAt: NOW - 2 * 3_600_000 }),
    ];
    const empty = profileOf([]);
    expect(
      ids(
        chooseContent(library, { interests: contentInterests(empty, NOW), locale: "en", now: NOW, limit: 3 }),
      ),
    ).toEqual(["newer", "new", "old"]);
    expect(
      chooseContent([], { interests: new Map([["books", 1]]), locale: "en", now: NOW, limit: 3 }),
    ).toEqual([]);
  });

  it("has no interests for a customer who withdrew profiling consent", () => {
    const profile = profileOf([
      viewed("books", 1),
      parsed(rawTrack("Consent Updated", { purpose: "profiling", granted: false })),
    ]);
    expect(contentInterests(profile, NOW).size).toBe(0);
    expect(contentInterests(profileOf([viewed("books", 1)]), NOW).get("books")).toBe(1);
  });
});
