import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { withLocalReplacements } from "#infra/local/function-env.js";
import { writeLocalTemplates } from "#infra/local/local-templates.js";
import { parseCompiledTemplates } from "#shared/render/compiled-templates.js";
import { functionSpec } from "./function-spec.js";

const dataDir = mkdtempSync(path.join(tmpdir(), "tailor-local-templates-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("the local stack's compiled templates (what the dispatch bundle carries)", () => {
  it("compiles the templates beside EMAILS_DIR into the data dir and points TEMPLATES_FILE there", async () => {
    // GIVEN a function reading a bundle-relative TEMPLATES_FILE, and one that reads none
    const dispatch = functionSpec("dispatch", {
      EMAILS_DIR: "templates/emails",
      TEMPLATES_FILE: "compiled-templates.json",
    });
    const other = functionSpec("other", { EMAILS_DIR: "templates/emails" });
    // WHEN the local stack prepares them
    const file = await writeLocalTemplates([other, dispatch], dataDir);
    const [otherLocal, dispatchLocal] = withLocalReplacements(
      [other, dispatch],
      {
        secretFiles: new Map(),
        apiEndpoints: new Map(),
        ...(file === undefined ? {} : { templatesFile: file }),
      },
      () => undefined,
    );
    // THEN the file is in the data dir, holds every shipped template, and only the reader points at it
    expect(file).toBe(path.join(dataDir, "compiled-templates.json"));
    const compiled = parseCompiledTemplates(readFileSync(file ?? "", "utf8"), file ?? "");
    expect(compiled.templates.map((t) => t.name).length).toBeGreaterThan(3);
    expect(dispatchLocal?.environment.TEMPLATES_FILE).toBe(file);
    expect(otherLocal?.environment.TEMPLATES_FILE).toBeUndefined();
  });

  it("compiles nothing when no function reads compiled templates", async () => {
    const empty = mkdtempSync(path.join(tmpdir(), "tailor-local-templates-"));
    try {
      expect(
        await writeLocalTemplates([functionSpec("other", { EMAILS_DIR: "templates/emails" })], empty),
      ).toBeUndefined();
      expect(existsSync(path.join(empty, "compiled-templates.json"))).toBe(false);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
