import { beforeAll, describe, expect, it } from "vitest";
import { emptyProfile } from "#shared/domain/profile/index.js";
import { compileTemplates } from "#shared/render/compile/index.js";
import {
  buildRenderContext,
  EmailRenderer,
  PREVIEW_LINKS,
  PREVIEW_RENDERER,
  PREVIEW_SHOP,
  type RenderContext,
  RenderError,
} from "#shared/render/index.js";
import { layout, templateDir } from "./helpers.js";

const NOW = Date.parse("2026-11-20T12:00:00Z");

function context(traits: Record<string, unknown>): RenderContext {
  const profile = { ...emptyProfile("c-1", NOW), t: traits };
  return buildRenderContext({
    profile,
    now: NOW,
    campaign: { id: "camp", name: "Camp" },
    variant: "a",
    links: PREVIEW_LINKS,
    shop: PREVIEW_SHOP,
  });
}

let renderer: EmailRenderer;
beforeAll(async () => {
  const root = templateDir({
    "emails/t/subject.liquid": 'Hi {{ customer.first_name | default: "there" }}',
    "emails/t/preheader.liquid": "{{ customer.traits.teaser | default: 'News' }}",
    "emails/t/layout.mjml": layout(
      `<mj-section><mj-column><mj-text>Points: {{ customer.traits.points | default: 0 | money }}</mj-text></mj-column></mj-section>`,
    ),
  });
  renderer = new EmailRenderer(await compileTemplates(root), PREVIEW_RENDERER);
});

describe("EmailRenderer", () => {
  it("refuses a subject that would carry CR or LF from the data, with a clear reason", () => {
    for (const first_name of ["Eve\r\nBcc: all@example.com", "Eve\nX-Injected: 1", "Eve\rX: 1"]) {
      const result = renderer.render({ template: "t", context: context({ first_name }) });
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error).toBeInstanceOf(RenderError);
      expect(result.error.kind).toBe("header-injection");
      expect(result.error.part).toBe("subject");
      expect(result.error.message).toContain("t/a: the subject would carry a line break");
    }
  });

  it("keeps the preheader on one line: line breaks from the data become spaces", () => {
    const result = renderer.render({ template: "t", context: context({ x: { teaser: "Big\r\nnews" } }) });
    expect(result.ok && result.email.preheader).toBe("Big news");
    const plain = renderer.render({ template: "t", context: context({}) });
    expect(plain.ok && plain.email.preheader).toBe("News");
  });

  it("fails one recipient with the reason when the template throws on its data, and renders the others", () => {
    const good = context({ first_name: "Ada" });
    const badPoints = { ...good, customer: { ...good.customer, traits: { points: "lots" } } };
    const injected = context({ first_name: "Eve\r\nBcc: x@example.com" });
    const batch = renderer.renderBatch([
      { template: "t", context: good },
      { template: "t", context: badPoints },
      { template: "t", context: injected },
      { template: "nope", context: good },
      { template: "t", context: good },
    ]);
    expect(batch.rendered).toBe(2);
    expect(batch.failed).toBe(3);
    const reasons = batch.results.map((result) =>
      result.ok ? "ok" : `${result.error.kind}: ${result.error.message}`,
    );
    expect(reasons[0]).toBe("ok");
    expect(reasons[1]).toMatch(
      /^template: t\/a: money: expected a number, got "lots" \(html, line \d+ of the compiled html\)$/,
    );
    expect(reasons[2]).toMatch(/^header-injection: /);
    expect(reasons[3]).toBe("unknown-template: nope/a: no such template or variant");
    expect(reasons[4]).toBe("ok");
  });

  it("refuses settings without a strong secret or with a non-http link base", async () => {
    const compiled = { format: 1 as const, templates: [] };
    expect(() => new EmailRenderer(compiled, { links: { ...PREVIEW_LINKS, secret: "short" } })).toThrow(
      "at least 32 bytes",
    );
    expect(
      () =>
        new EmailRenderer(compiled, { links: { ...PREVIEW_LINKS, unsubscribeUrl: "javascript:alert(1)" } }),
    ).toThrow("links.unsubscribeUrl");
  });
});

describe("model scores in the context", () => {
  const score = { p: 0.82, t: "high" as const, at: NOW - 1000 };
  const build = (profiling: boolean | undefined) =>
    buildRenderContext({
      profile: {
        ...emptyProfile("c-1", NOW),
        sc: { purchase_30d: score },
        ...(profiling === undefined ? {} : { c: { profiling: { g: profiling, at: NOW - 5000 } } }),
      },
      now: NOW,
      campaign: { id: "camp", name: "Camp" },
      variant: "a",
      links: PREVIEW_LINKS,
      shop: PREVIEW_SHOP,
    });

  it("shows the stored scores, and none once the customer withdrew profiling consent", () => {
    expect(Object.keys(build(undefined).scores)).toEqual(["purchase_30d"]);
    expect(Object.keys(build(true).scores)).toEqual(["purchase_30d"]);
    expect(build(false).scores).toEqual({});
  });
});
