import { beforeAll, describe, expect, it } from "vitest";
import { type Shipped, shipped } from "#test/render/helpers.js";

let templates: Shipped;
beforeAll(async () => {
  templates = await shipped();
}, 120_000);

describe("the content block in the shipped templates", () => {
  it("is read by the newsletter and the welcome email only", () => {
    const reading = templates.renderer
      .templates()
      .filter((template) => templates.renderer.reads(template.name, "a", "content"))
      .map((template) => template.name);
    expect(reading.sort()).toEqual(["newsletter", "welcome"]);
  });

  it("renders the sample's items in its language, and nothing for an empty list", () => {
    for (const sample of templates.samples) {
      const rendered = templates.renderer.render({ template: "newsletter", context: sample.context });
      if (!rendered.ok) throw rendered.error;
      const { content } = sample.context;
      expect(content.length).toBeGreaterThan(0);
      for (const item of content) expect(rendered.email.html).toContain(item.title.replace(/'/g, "&#39;"));
      // The library holds English, French and German items.
      const { language } = sample.context.customer;
      const expected = language === "fr" || language === "de" ? language : "en";
      expect(content.every((item) => (item.locale ?? "en") === expected)).toBe(true);
    }
    const [first] = templates.samples;
    if (first === undefined) throw new Error("no samples");
    const empty = templates.renderer.render({
      template: "newsletter",
      context: { ...first.context, content: [] },
    });
    if (!empty.ok) throw empty.error;
    expect(empty.email.html).not.toContain("Worth a read this week");
  });
});
