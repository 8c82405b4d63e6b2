import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CampaignDefinitionError,
  loadCampaignLibrary,
  readTemplateCatalog,
} from "#shared/templates/campaign-files.js";
import { CATALOG } from "./helpers.js";

let dir: string;
const segments = {
  byId: new Map([
    ["lapsed", {}],
    ["vip", {}],
  ]),
};

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tailor-campaigns-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function write(file: string, text: string): void {
  mkdirSync(join(dir, file, ".."), { recursive: true });
  writeFileSync(join(dir, file), text);
}

function problemsOf(): CampaignDefinitionError {
  try {
    loadCampaignLibrary(dir, { templates: CATALOG, segments });
  } catch (error) {
    if (error instanceof CampaignDefinitionError) return error;
    throw error;
  }
  throw new Error("expected the library to be refused");
}

const valid = (id: string, extra = "") =>
  [
    `id: ${id}`,
    `name: ${id}`,
    "version: 1",
    "purpose: marketing",
    "trigger: { event: Product Added }",
    "steps:",
    "  - { delay: 4h, template: cart-abandonment }",
    extra,
  ].join("\n");

describe("loadCampaignLibrary", () => {
  it("reads .yaml, .yml and .json files, in subfolders too", () => {
    write("a.yaml", valid("a"));
    write("nested/b.yml", valid("b"));
    write(
      "c.json",
      JSON.stringify({
        id: "c",
        name: "C",
        version: 1,
        purpose: "transactional",
        trigger: { event: "Order Completed" },
        steps: [{ template: "welcome" }],
      }),
    );
    write("notes.md", "not a campaign");
    const library = loadCampaignLibrary(dir, { templates: CATALOG, segments });
    expect(library.campaigns.map((c) => c.id)).toEqual(["a", "c", "b"]); // file order: a.yaml, c.json, nested/b.yml
    expect(library.byId.get("c")?.purpose).toBe("transactional");
  });

  it("reports every problem of every file with file, line, path and rule", () => {
    write("a.yaml", valid("a").replace("4h", "4 hours"));
    write("b.yaml", valid("wrong"));
    write("c.yaml", "id: c\nname: [unclosed\n");
    const error = problemsOf();
    expect(error.problems.map((p) => `${p.file}:${p.line ?? "?"} ${p.path} [${p.rule}]`)).toEqual([
      "a.yaml:7 steps[0].delay [duration]",
      "b.yaml:1 id [file_name]",
      expect.stringMatching(/^c\.yaml:\d+ {2}\[yaml\]$/),
    ]);
    expect(error.message).toContain(
      "a.yaml:7 steps[0].delay [duration]: expected a duration like 30m, 4h or 7d",
    );
    expect(error.retryable).toBe(false);
  });

  it("refuses unknown templates, template variants and segments, at their lines", () => {
    write(
      "a.yaml",
      [
        "id: a",
        "name: A",
        "version: 1",
        "purpose: marketing",
        "trigger: { segment: churners, on: entered }",
        "steps:",
        "  - { template: nope }",
        "  - { delay: 1d, template: cart-abandonment, variants: [{ id: b }] }",
      ].join("\n"),
    );
    write("b.yaml", valid("b", "variants: [{ id: a }, { id: b, subject: Hey }, { id: c, template: nope }]"));
    const error = problemsOf();
    expect(error.problems.map((p) => `${p.file}:${p.line ?? "?"} ${p.path} [${p.rule}]`)).toEqual([
      "a.yaml:5 trigger.segment [unknown_segment]",
      "a.yaml:7 steps[0].template [unknown_template]",
      "a.yaml:8 steps[1].variants[0].id [unknown_variant]",
      "b.yaml:8 variants[2].template [unknown_template]",
    ]);
  });

  it("refuses an unreadable directory", () => {
    const error = (() => {
      try {
        loadCampaignLibrary(join(dir, "missing"), { templates: CATALOG, segments });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(CampaignDefinitionError);
  });
});

describe("readTemplateCatalog", () => {
  it("lists each template folder with `a` and its variant folders", () => {
    mkdirSync(join(dir, "welcome", "variants", "b"), { recursive: true });
    mkdirSync(join(dir, "win-back"), { recursive: true });
    writeFileSync(join(dir, "README.md"), "");
    expect(readTemplateCatalog(dir)).toEqual(
      new Map([
        ["welcome", ["a", "b"]],
        ["win-back", ["a"]],
      ]),
    );
  });
});
