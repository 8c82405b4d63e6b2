import { describe, expect, it } from "vitest";
import {
  CONTENT_INTERESTS_MAX,
  CONTENT_VIEWED_MAX,
  foldEvents,
  mergeProfiles,
} from "#shared/domain/profile/index.js";
import { NOW, parsed, rawPage, rawTrack } from "#test/factories/events.js";

const HOUR = 3_600_000;
const at = (hoursAgo: number) => ({ timestamp: NOW - hoursAgo * HOUR });
const article = (id: string, keywords: unknown, hoursAgo: number, category?: string, userId = "user-1") =>
  parsed(
    rawPage(
      "Article",
      { content_id: id, keywords, ...(category === undefined ? {} : { category }) },
      { ...at(hoursAgo), userId },
    ),
  );

describe("content views in the profile", () => {
  it("counts each keyword and the page category as an interest tag, with the last view time", () => {
    // Prepare
    const events = [
      article("compost-basics", ["Garden", "compost"], 5),
      article("seed-guide", "garden, seeds", 2, "Outdoors"),
    ];
    // Act
    const { profile } = foldEvents(undefined, "user-1", events, NOW);
    // Assess
    expect(profile.ci).toEqual({
      garden: [2, NOW - 2 * HOUR],
      compost: [1, NOW - 5 * HOUR],
      seeds: [1, NOW - 2 * HOUR],
      outdoors: [1, NOW - 2 * HOUR],
    });
    expect(profile.cv).toEqual(["seed-guide", "compost-basics"]);
  });

  it("folds an out-of-order batch like the sorted one, and a repeated view moves the id first", () => {
    const a = article("a", ["books"], 3);
    const b = article("b", ["toys"], 2);
    const again = article("a", ["books"], 1);
    const sorted = foldEvents(undefined, "user-1", [a, b, again], NOW).profile;
    const shuffled = foldEvents(undefined, "user-1", [again, a, b], NOW).profile;
    expect(shuffled.ci).toEqual(sorted.ci);
    expect(sorted.cv).toEqual(["a", "b"]);
    expect(sorted.ci?.books).toEqual([2, NOW - HOUR]);
  });

  it("keeps the most recently viewed tags and the last ids within their bounds", () => {
    const events = Array.from({ length: 30 }, (_, i) => article(`item-${i}`, [`topic-${i}`], 40 - i));
    const { profile } = foldEvents(undefined, "user-1", events, NOW);
    const tags = Object.keys(profile.ci ?? {});
    expect(tags).toHaveLength(CONTENT_INTERESTS_MAX);
    // the newest views are items 18..29
    expect(tags.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `topic-${18 + i}`).sort());
    expect(profile.cv).toEqual(
      ["item-29", "item-28", "item-27", "item-26", "item-25"].slice(0, CONTENT_VIEWED_MAX),
    );
  });

  it("ignores ordinary pages and unusable keywords, and never refuses a page for its keywords", () => {
    const plain = parsed(rawPage("Home", { url: "https://shop.example/" }));
    const odd = parsed(rawPage("Odd", { keywords: { not: "a list" } }));
    const reserved = article("x", ["constructor", "  ", "ok"], 1);
    const { profile } = foldEvents(undefined, "user-1", [plain, odd, reserved], NOW);
    expect(profile.ci).toEqual({ ok: [1, NOW - HOUR] });
    expect(profile.cv).toEqual(["x"]);
    expect(profile.k.pg?.n).toBe(3);
  });

  it("leaves product affinity alone and merges interests of two profiles by adding counts", () => {
    const a = foldEvents(undefined, "user-1", [article("a", ["books"], 3)], NOW).profile;
    const b = foldEvents(
      undefined,
      "anon-1",
      [
        article("b", ["books", "toys"], 1, undefined, "anon-1"),
        parsed(rawTrack("Product Viewed", { product_id: "p", category: "toys" }, { userId: "anon-1" })),
      ],
      NOW,
    ).profile;
    const merged = mergeProfiles(a, b, NOW);
    expect(merged.ci).toEqual({ books: [2, NOW - HOUR], toys: [1, NOW - HOUR] });
    expect(merged.cv).toEqual(["b", "a"]);
    expect(a.a).toBeUndefined();
  });
});
