import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadSegmentLibrary, SegmentDefinitionError } from "#shared/templates/segment-files.js";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tailor-segments-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(file: string, text: string): void {
  mkdirSync(join(dir, file, ".."), { recursive: true });
  writeFileSync(join(dir, file), text);
}

function problemsOf(): SegmentDefinitionError {
  try {
    loadSegmentLibrary(dir);
  } catch (error) {
    if (error instanceof SegmentDefinitionError) return error;
    throw error;
  }
  throw new Error("expected the library to be refused");
}

const valid = (id: string, rule = "  trait: { path: country, eq: FR }") =>
  `id: ${id}\nname: ${id}\nversion: 1\nrule:\n${rule}\n`;

describe("loadSegmentLibrary", () => {
  it("reads .yaml, .yml and .json files, in subfolders too, into a library in dependency order", () => {
    write("b.yaml", valid("b", "  inSegment: a"));
    write("nested/a.yml", valid("a"));
    write("c.json", JSON.stringify({ id: "c", name: "C", version: 2, static: true }));
    write("notes.md", "not a definition");
    const library = loadSegmentLibrary(dir);
    expect(library.definitions.map((d) => d.id)).toEqual(["a", "b", "c"]);
  });

  it("names the file, line, path and rule of every problem, in every file, at once", () => {
    write("good.yaml", valid("good"));
    write(
      "cart.yaml",
      [
        "id: cart",
        "name: Cart",
        "version: 1",
        "rule:",
        "  all:",
        "    - event: { name: Product Added, within: 30m }",
        "    - noEventSince: { name: Order Completed }",
      ].join("\n"),
    );
    write("broken.json", '{ "id": "broken", "name": "B", "version": 1, "rule": { "rfmCohort": "vips" } }');
    const error = problemsOf();
    expect(error.problems).toEqual([
      {
        file: "broken.json",
        line: 1,
        path: "rule.rfmCohort",
        rule: "one_of",
        message: expect.stringMatching(/champions/),
      },
      {
        file: "cart.yaml",
        line: 6,
        path: "rule.all[0].event.within",
        rule: "window",
        message: "windows up to 48h are whole hours",
      },
      {
        file: "cart.yaml",
        line: 7,
        path: "rule.all[1].noEventSince.since",
        rule: "required",
        message: expect.stringMatching(/^required/),
      },
    ]);
    expect(error.message).toContain(
      "cart.yaml:6 rule.all[0].event.within [window]: windows up to 48h are whole hours",
    );
    expect(error.message).toContain(`invalid segment definitions in ${dir}`);
    expect(error.retryable).toBe(false);
  });

  it("reports YAML syntax errors with their line", () => {
    write("bad.yaml", "id: bad\nname: [unclosed\nversion: 1\n");
    const [problem] = problemsOf().problems;
    expect(problem).toMatchObject({ file: "bad.yaml", path: "", rule: "yaml" });
    expect(problem?.line).toBeGreaterThanOrEqual(2);
  });

  it("wants the id to match the file name", () => {
    write("champions.yaml", valid("champs"));
    expect(problemsOf().problems).toEqual([
      {
        file: "champions.yaml",
        line: 1,
        path: "id",
        rule: "file_name",
        message: "id champs must match the file name champions",
      },
    ]);
  });

  it("refuses cycles and unknown segments, naming the files", () => {
    write("a.yaml", valid("a", "  inSegment: b"));
    write("b.yaml", valid("b", "  any:\n    - inSegment: a\n    - inSegment: ghost"));
    const error = problemsOf();
    expect(error.problems).toEqual([
      {
        file: "b.yaml",
        line: 7,
        path: "rule.any[1].inSegment",
        rule: "unknown_segment",
        message: "refers to unknown segment ghost",
      },
      { file: "b.yaml", line: 6, path: "rule.any[0].inSegment", rule: "cycle", message: "cycle: a → b → a" },
    ]);
  });

  it("refuses the same id in two files", () => {
    write("a.yaml", valid("a"));
    write("a.json", JSON.stringify({ id: "a", name: "A", version: 1, static: true }));
    expect(problemsOf().problems.map((p) => [p.file, p.rule])).toEqual([
      ["a.json", "duplicate_id"],
      ["a.yaml", "duplicate_id"],
    ]);
  });

  it("reports a missing directory", () => {
    rmSync(dir, { recursive: true, force: true });
    expect(problemsOf().problems[0]).toMatchObject({ rule: "directory" });
  });
});

describe("the starter library", () => {
  it("loads from templates/segments without a problem", () => {
    const library = loadSegmentLibrary("templates/segments");
    expect(library.definitions.length).toBeGreaterThanOrEqual(19);
  });
});
