import { describe, expect, it } from "vitest";
import {
  ContentObjectError,
  contentObjectFormatOf,
  importContentObject,
} from "#shared/app/content/import-content-object.js";
import { InMemoryContentStore } from "#shared/app/content/in-memory-content-store.js";

describe("contentObjectFormatOf", () => {
  it("reads the format and compression from the key, case-insensitively", () => {
    expect(contentObjectFormatOf("content/a.json")).toEqual({ format: "json", gzip: false });
    expect(contentObjectFormatOf("content/a.JSONL.GZ")).toEqual({ format: "jsonl", gzip: true });
    expect(contentObjectFormatOf("content/x/a.ndjson")).toEqual({ format: "jsonl", gzip: false });
    expect(contentObjectFormatOf("content/a.csv.gz")).toEqual({ format: "csv", gzip: true });
  });

  it("names the rule for a key outside content/ or with another extension", () => {
    expect(contentObjectFormatOf("feeds/a.csv")).toEqual({
      error: "feeds/a.csv: content files go under content/",
    });
    expect(contentObjectFormatOf("content/a.xml.gz")).toEqual({
      error: "content/a.xml.gz: the file name must end in .json, .jsonl, .ndjson or .csv (optionally .gz)",
    });
  });
});

describe("importContentObject", () => {
  it("throws a non-retryable error for a key it cannot import, without reading the object", async () => {
    let opened = 0;
    const deps = {
      store: new InMemoryContentStore(),
      objects: {
        open: async () => {
          opened++;
          return (async function* (): AsyncGenerator<Uint8Array> {})();
        },
      },
      clock: { now: () => 0 },
    };
    const failure = importContentObject(deps, "content/notes.txt");
    await expect(failure).rejects.toBeInstanceOf(ContentObjectError);
    await expect(failure).rejects.toMatchObject({ retryable: false });
    expect(opened).toBe(0);
  });
});
