import { describe, expect, it } from "vitest";
import { BoundedAgeCache } from "#shared/app/bounded-age-cache.js";
import { ContentFileError } from "#shared/app/content/content-file.js";
import { EMPTY_IMPORT_REASON, importContent } from "#shared/app/content/import-content.js";
import { InMemoryContentStore } from "#shared/app/content/in-memory-content-store.js";

const NOW = Date.UTC(2026, 11, 1);
const row = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  kind: "article",
  title: `Title ${id}`,
  summary: `Summary ${id}`,
  url: `https://shop.example/journal/${id}`,
  tags: ["garden"],
  ...extra,
});
const lines = (...rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join("\n");

describe("importContent", () => {
  it("reads CSV with tags separated by | and ISO dates, and names each bad row's line, field and rule", async () => {
    const store = new InMemoryContentStore();
    const csv = [
      "id,kind,title,summary,url,tags,locale,published_at,image_url",
      "compost,article,Compost basics,Start a heap,https://shop.example/compost,Garden|Compost,,2026-11-02,",
      "compost.fr,article,Le compost,Un tas,https://shop.example/fr/compost,garden|compost,fr,2026-11-02,https://shop.example/c.jpg",
      "bad-kind,video,A video,Watch,https://shop.example/v,garden,,,",
      "bad-url,tip,A tip,Do it,ftp://shop.example/t,,xx_YY,yesterday,",
    ].join("\n");
    const report = await importContent(store, { text: csv, format: "csv" }, NOW);
    expect(report.rows).toBe(4);
    expect(report.written).toBe(2);
    expect(report.errors.map((e) => [e.line, e.id])).toEqual([
      [4, "bad-kind"],
      [5, "bad-url"],
    ]);
    expect(report.errors[0]?.problems).toEqual(['kind: expected "article", "tip" or "guide"']);
    expect(report.errors[1]?.problems).toEqual([
      "url: expected an http(s) URL",
      "tags: expected at least one tag",
      "locale: expected a BCP 47 locale such as fr or fr-CA",
      "published_at: expected an ISO-8601 date or epoch milliseconds",
    ]);
    const items = await store.all();
    expect(items.find((item) => item.id === "compost")).toEqual({
      id: "compost",
      kind: "article",
      title: "Compost basics",
      summary: "Start a heap",
      url: "https://shop.example/compost",
      tags: ["garden", "compost"],
      publishedAt: Date.UTC(2026, 10, 2),
    });
    expect(items.find((item) => item.id === "compost.fr")?.locale).toBe("fr");
  });

  it("retires items that left the file, keeps those whose row was bad, and writes nothing on a rerun", async () => {
    const store = new InMemoryContentStore();
    await importContent(store, { text: lines(row("a"), row("b"), row("c")), format: "jsonl" }, NOW);
    const second = await importContent(
      store,
      { text: lines(row("a"), row("b", { kind: "podcast" }), row("d")), format: "jsonl" },
      NOW,
    );
    expect(second.retired).toEqual(["c"]);
    expect(second.written).toBe(1);
    expect(second.unchanged).toBe(1);
    expect(second.errors).toEqual([
      { line: 2, id: "b", problems: ['kind: expected "article", "tip" or "guide"'] },
    ]);
    expect((await store.all()).map((item) => item.id).sort()).toEqual(["a", "b", "d"]);
    const writes = store.writes;
    // b kept its last good row: the good file again writes nothing
    const rerun = await importContent(
      store,
      { text: lines(row("a"), row("b"), row("d")), format: "jsonl" },
      NOW,
    );
    expect(rerun).toMatchObject({ written: 0, unchanged: 3, retired: [] });
    expect(store.writes).toBe(writes);
  });

  it("refuses repeated ids and unreadable JSON lines, and never empties the library from a broken file", async () => {
    const store = new InMemoryContentStore();
    await importContent(store, { text: JSON.stringify([row("a"), row("b")]), format: "json" }, NOW);
    const report = await importContent(
      store,
      {
        text: `${JSON.stringify(row("x", { url: "nope" }))}\n{not json\n${JSON.stringify(row("x"))}`,
        format: "json",
      },
      NOW,
    );
    expect(report.errors.map((e) => e.line)).toEqual([2, 1, 3, 0]);
    expect(report.errors.at(-1)?.problems).toEqual([EMPTY_IMPORT_REASON]);
    expect(report.errors[2]?.problems).toEqual(["id: repeats the id of line 1"]);
    expect((await store.all()).map((item) => item.id)).toEqual(["a", "b"]);
    await expect(importContent(store, { text: "[1,", format: "json" }, NOW)).rejects.toBeInstanceOf(
      ContentFileError,
    );
  });
});

describe("BoundedAgeCache", () => {
  it("serves one load for at most its age, shares a load between callers and forgets a failed one", async () => {
    let time = 0;
    let loads = 0;
    let fail = false;
    const cache = new BoundedAgeCache({
      load: async () => {
        loads++;
        if (fail) throw new Error("down");
        return loads;
      },
      maxAgeMs: 1000,
      clock: { now: () => time },
    });
    expect(await Promise.all([cache.get(), cache.get()])).toEqual([1, 1]);
    time = 999;
    expect(await cache.get()).toBe(1);
    time = 1000;
    fail = true;
    await expect(cache.get()).rejects.toThrow("down");
    fail = false;
    expect(await cache.get()).toBe(3);
    expect(loads).toBe(3);
  });
});
