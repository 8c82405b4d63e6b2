import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { compileTemplates, writeCompiledTemplates } from "#shared/render/compile/index.js";
import {
  EmailRenderer,
  PREVIEW_RENDERER,
  parseCompiledTemplates,
  RenderConfigError,
} from "#shared/render/index.js";
import { layout, templateDir } from "./helpers.js";

const root = templateDir({
  "emails/hello/layout.mjml": layout(
    "<mj-section><mj-column><mj-text>Hi {{ customer.first_name | default: 'there' }}</mj-text></mj-column></mj-section>",
  ),
  "emails/hello/subject.liquid": "Hello",
  "emails/hello/preheader.liquid": "A preheader",
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the compiled templates file (written at build time, read by the runtime renderer)", () => {
  it("reads back what the build wrote, and the renderer takes it", async () => {
    // GIVEN templates compiled into a file, in a folder that does not exist yet
    const file = path.join(root, "out", "compiled-templates.json");
    const written = await writeCompiledTemplates(root, file);
    // WHEN the runtime reads the file
    const read = parseCompiledTemplates(readFileSync(file, "utf8"), file);
    // THEN it holds what the compiler made, and renders
    expect(read).toEqual(await compileTemplates(root));
    expect(read).toEqual(written);
    expect(read.templates.map((t) => t.name)).toEqual(["hello"]);
    expect(() => new EmailRenderer(read, PREVIEW_RENDERER)).not.toThrow();
  });

  it("refuses a file that is not JSON, or of another format, or lacks a field, naming the file and the field", () => {
    const parse = (text: string) => () => parseCompiledTemplates(text, "bundle/compiled-templates.json");
    expect(parse("<html>")).toThrow(RenderConfigError);
    expect(parse("<html>")).toThrow(
      /^bundle\/compiled-templates\.json is not a compiled templates file: not JSON/,
    );
    expect(parse(JSON.stringify({ format: 2, templates: [] }))).toThrow(/format 1: format: /);
    const noHtml = {
      format: 1,
      templates: [{ name: "t", variants: [{ id: "a", subject: "s", preheader: "p", text: "x" }] }],
    };
    expect(parse(JSON.stringify(noHtml))).toThrow(/templates\.0\.variants\.0\.html: /);
  });
});
