import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { watchLocalTemplates } from "#infra/local/local-templates.js";
import { FileTemplateSource } from "#shared/lambda/file-template-source.js";
import { writeCompiledTemplates } from "#shared/render/compile/index.js";

const temp = mkdtempSync(path.join(tmpdir(), "tailor-watch-templates-"));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Resolves once `check` holds, polling; rejects after `ms`. */
async function eventually(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the local stack's templates, compiled again on edit (the console's live preview)", () => {
  it("rewrites the compiled file when a template changes, keeps it when the edit does not build", async () => {
    // GIVEN a copy of the templates compiled, watched, read through the console's template source
    const templates = path.join(temp, "templates");
    cpSync("templates", templates, { recursive: true });
    const file = path.join(temp, "compiled-templates.json");
    await writeCompiledTemplates(templates, file);
    const source = new FileTemplateSource(file);
    const before = await source.version();
    const lines: string[] = [];
    const stop = watchLocalTemplates(templates, file, (line) => lines.push(line));
    try {
      // WHEN a subject is edited
      const subject = path.join(templates, "emails", "back-in-stock", "subject.liquid");
      writeFileSync(subject, "Edited: it is back");
      // THEN the file is compiled again, with a new version, holding the edit
      await eventually(async () => (await source.version()) !== before, 30_000);
      expect((await source.load()).json).toContain("Edited: it is back");
      // WHEN an edit breaks the template
      const good = readFileSync(file, "utf8");
      writeFileSync(subject, "{% if unclosed %}");
      await eventually(() => lines.some((line) => line.startsWith("templates not recompiled")), 30_000);
      // THEN the last good file stays
      expect(readFileSync(file, "utf8")).toBe(good);
    } finally {
      stop();
    }
  }, 90_000);
});
