import { describe, expect, it } from "vitest";
import { emptyProfile } from "#shared/domain/profile/index.js";
import { compileTemplates } from "#shared/render/compile/index.js";
import {
  buildRenderContext,
  EmailRenderer,
  PREVIEW_LINKS,
  PREVIEW_RENDERER,
  PREVIEW_SHOP,
  type RenderContext,
  TemplateBuildError,
  type TemplateProblem,
} from "#shared/render/index.js";
import { layout, templateDir } from "./helpers.js";

const NOW = Date.parse("2026-11-20T12:00:00Z");

function context(traits: Record<string, string> = {}, segments: string[] = []): RenderContext {
  const profile = { ...emptyProfile("c-1", NOW), t: traits };
  return buildRenderContext({
    profile,
    now: NOW,
    campaign: { id: "camp", name: "Camp" },
    variant: "a",
    links: PREVIEW_LINKS,
    shop: PREVIEW_SHOP,
    segments,
  });
}

function email(files: Record<string, string>, name = "t"): Record<string, string> {
  return {
    [`emails/${name}/subject.liquid`]: "Hello",
    [`emails/${name}/preheader.liquid`]: "Preheader",
    ...files,
  };
}

async function problemsOf(
  root: string,
  options: Parameters<typeof compileTemplates>[1] = {},
): Promise<TemplateProblem[]> {
  try {
    await compileTemplates(root, options);
  } catch (error) {
    if (error instanceof TemplateBuildError) return [...error.problems];
    throw error;
  }
  throw new Error("expected the build to fail");
}

describe("compileTemplates", () => {
  it("fails the build naming template, file, line and variable when a sample lacks a variable with no fallback", async () => {
    const root = templateDir(
      email({
        "emails/t/layout.mjml": layout(`    <mj-include path="../../blocks/greeting.mjml" />`),
        "blocks/greeting.mjml": [
          "<mj-section><mj-column>",
          '  <mj-text>Hello {{ customer.first_name | default: "there" }}</mj-text>',
          "  <mj-text>Dear {{ customer.last_name }}</mj-text>",
          "</mj-column></mj-section>",
        ].join("\n"),
      }),
    );
    const samples = [
      { name: "full", context: context({ first_name: "Ada", last_name: "Lovelace" }) },
      { name: "no-name", context: context({}) },
    ];
    const problems = await problemsOf(root, { samples });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ template: "t", file: "blocks/greeting.mjml", line: 3 });
    expect(problems[0]?.message).toContain("undefined variable customer.last_name");
    expect(problems[0]?.message).toContain('sample "no-name"');
    // The same template builds when every sample has the value.
    await expect(compileTemplates(root, { samples: samples.slice(0, 1) })).resolves.toBeDefined();
  });

  it("names the subject file when the subject uses a variable a sample lacks", async () => {
    const root = templateDir({
      ...email({
        "emails/t/layout.mjml": layout(
          "<mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section>",
        ),
      }),
      "emails/t/subject.liquid": "Hi {{ customer.first_name }}",
    });
    const problems = await problemsOf(root, { samples: [{ name: "nobody", context: context() }] });
    expect(problems).toEqual([
      expect.objectContaining({
        file: "emails/t/subject.liquid",
        line: 1,
        message: expect.stringContaining("customer.first_name"),
      }),
    ]);
  });

  it("wraps Liquid control flow standing between MJML elements so MJML keeps it", async () => {
    const root = templateDir(
      email({
        "emails/t/layout.mjml": layout(`    {% if customer.first_name %}
    <mj-section><mj-column><mj-text>Named section</mj-text></mj-column></mj-section>
    {% else %}
    <mj-section><mj-column><mj-text>Anonymous section</mj-text></mj-column></mj-section>
    {% endif %}
    {% for i in (1..3) %}<mj-section><mj-column><mj-text>Row {{ i }}</mj-text></mj-column></mj-section>{% endfor %}`),
      }),
    );
    const compiled = await compileTemplates(root);
    const html = compiled.templates[0]?.variants[0]?.html ?? "";
    expect(html).toContain("{% if customer.first_name %}");
    expect(html).not.toContain("<mj-raw>");
    const renderer = new EmailRenderer(compiled, PREVIEW_RENDERER);
    const named = renderer.render({ template: "t", context: context({ first_name: "Ada" }) });
    const anonymous = renderer.render({ template: "t", context: context() });
    expect(named.ok && named.email.html.includes("Named section")).toBe(true);
    expect(named.ok && named.email.html.includes("Anonymous section")).toBe(false);
    expect(anonymous.ok && anonymous.email.html.includes("Anonymous section")).toBe(true);
    expect(anonymous.ok && anonymous.email.html.match(/Row \d/g)).toEqual(["Row 1", "Row 2", "Row 3"]);
  });

  it("fails loudly when MJML drops a Liquid tag the pre-pass cannot protect", async () => {
    const root = templateDir(
      email({
        "emails/t/layout.mjml": `<mjml>
  <mj-head>
    <mj-attributes>
      {% if customer.first_name %}<mj-all font-family="Arial" />{% endif %}
    </mj-attributes>
  </mj-head>
  <mj-body><mj-section><mj-column><mj-text>Hi</mj-text></mj-column></mj-section></mj-body>
</mjml>`,
      }),
    );
    const problems = await problemsOf(root);
    expect(problems.map((p) => p.message).join("\n")).toContain(
      "MJML dropped the Liquid tag {% if customer.first_name %}",
    );
    expect(problems[0]).toMatchObject({ file: "emails/t/layout.mjml", line: 4 });
  });

  it("refuses images without alt text, naming the block and line", async () => {
    const root = templateDir(
      email({
        "emails/t/layout.mjml": layout(`    <mj-include path="../../blocks/pic.mjml" />`),
        "blocks/pic.mjml":
          '<mj-section><mj-column>\n<mj-image src="https://example.com/a.png" />\n</mj-column></mj-section>',
      }),
    );
    expect(await problemsOf(root)).toEqual([
      expect.objectContaining({
        file: "blocks/pic.mjml",
        line: 2,
        message: expect.stringContaining("without alt text"),
      }),
    ]);
  });

  it("allows raw only on HTML the template wrote, never on data", async () => {
    const body = (expr: string) =>
      layout(
        `    <mj-section><mj-column><mj-text>{% capture note %}<em>{{ customer.first_name | default: "you" }}</em>{% endcapture %}${expr}</mj-text></mj-column></mj-section>`,
      );
    const bad = templateDir(email({ "emails/t/layout.mjml": body("{{ customer.first_name | raw }}") }));
    expect((await problemsOf(bad))[0]?.message).toContain('"raw" is only for HTML the template wrote');
    const good = templateDir(email({ "emails/t/layout.mjml": body("{{ note | raw }} {{ '<br>' | raw }}") }));
    const renderer = new EmailRenderer(await compileTemplates(good), PREVIEW_RENDERER);
    const result = renderer.render({ template: "t", context: context({ first_name: "<b>Zoë</b>" }) });
    expect(result.ok && result.email.html).toContain("<em>&lt;b&gt;Zoë&lt;/b&gt;</em> <br>");
  });

  it("refuses include cycles, includes outside the folder, multi-line subjects and unknown segments", async () => {
    const root = templateDir({
      ...email({ "emails/t/layout.mjml": layout(`    <mj-include path="../../blocks/a.mjml" />`) }),
      "emails/t/subject.liquid": "Hello\n{{ customer.first_name }}",
      "blocks/a.mjml": '<mj-include path="b.mjml" />',
      "blocks/b.mjml": '<mj-include path="a" />',
      ...email(
        {
          "emails/u/layout.mjml": layout(`    <mj-include path="../../../etc/passwd" />
    {% in_segment "champions", "nope" %}<mj-section><mj-column><mj-text>VIP</mj-text></mj-column></mj-section>{% endin_segment %}`),
        },
        "u",
      ),
    });
    const messages = (await problemsOf(root, { knownSegments: ["champions"] })).map(
      (p) => `${p.file}: ${p.message}`,
    );
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^emails\/t\/subject.liquid: must be a single line/),
        expect.stringMatching(
          /^blocks\/b.mjml: include cycle: emails\/t\/layout.mjml → blocks\/a.mjml → blocks\/b.mjml → blocks\/a.mjml/,
        ),
        expect.stringMatching(
          /^emails\/u\/layout.mjml: include "..\/..\/..\/etc\/passwd" points outside the templates folder/,
        ),
        expect.stringMatching(/^emails\/u\/layout.mjml: in_segment names an unknown segment "nope"/),
      ]),
    );
  });

  it("compiles variants that override the subject and inherit the rest", async () => {
    const root = templateDir({
      ...email({
        "emails/t/layout.mjml": layout(
          "<mj-section><mj-column><mj-text>Body</mj-text></mj-column></mj-section>",
        ),
      }),
      "emails/t/variants/b/subject.liquid": 'Variant B for {{ customer.first_name | default: "you" }}',
    });
    const compiled = await compileTemplates(root);
    const renderer = new EmailRenderer(compiled, PREVIEW_RENDERER);
    const a = renderer.render({ template: "t", context: context() });
    const b = renderer.render({ template: "t", variant: "b", context: context() });
    expect(a.ok && a.email.subject).toBe("Hello");
    expect(b.ok && b.email.subject).toBe("Variant B for you");
    expect(b.ok && b.email.html).toContain("Body");
  });
});
