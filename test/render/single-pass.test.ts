import path from "node:path";
import type { Template } from "liquidjs";
import { beforeAll, describe, expect, it } from "vitest";
import { prepareEmailContext } from "#shared/app/email-context.js";
import { InMemoryCatalog } from "#shared/app/in-memory-catalog.js";
import { sampleContexts } from "#shared/app/sample-contexts.js";
import { compileTemplates } from "#shared/render/compile/index.js";
import { CopyCatalog } from "#shared/render/copy-locales.js";
import {
  type CompiledTemplates,
  EmailRenderer,
  PREVIEW_RENDERER,
  type RenderContext,
} from "#shared/render/index.js";
import { createEngine } from "#shared/render/liquid-engine.js";
import { PREVIEW_LINKS, PREVIEW_SHOP } from "#shared/render/preview-settings.js";
import { loadSampleProfiles } from "#shared/render/samples.js";
import { mergeParts } from "#shared/render/single-pass.js";
import { tidyText } from "#shared/render/tidy-text.js";
import { tagHtmlLinks, tagTextLinks } from "#shared/render/tracking-links.js";
import { simulatorCatalogProducts } from "#shared/sim/index.js";
import { simulatePopulation } from "../segments/sim-profiles.js";
import { TEMPLATES_DIR } from "./helpers.js";

/**
 * The renderer as it was before the single pass: subject, preheader, HTML and text each rendered by its own
 * engine, in turn. The renderer must give exactly this, byte for byte.
 */
function twoPassRenderer(compiled: CompiledTemplates) {
  const copy = compiled.locales === undefined ? undefined : new CopyCatalog(compiled.locales);
  const html = createEngine("html", copy === undefined ? {} : { copy });
  const text = createEngine("text", copy === undefined ? {} : { copy });
  const parsed = new Map<
    string,
    { subject: Template[]; preheader: Template[]; html: Template[]; text: Template[] }
  >();
  for (const template of compiled.templates) {
    for (const variant of template.variants) {
      parsed.set(`${template.name}/${variant.id}`, {
        subject: text.parse(variant.subject),
        preheader: text.parse(variant.preheader),
        html: html.parse(variant.html),
        text: text.parse(variant.text),
      });
    }
  }
  const { unsubscribeUrl, preferencesUrl, viewInBrowserUrl, confirmUrl } = PREVIEW_RENDERER.links;
  const untracked = [
    unsubscribeUrl,
    preferencesUrl,
    viewInBrowserUrl,
    ...(confirmUrl === undefined ? [] : [confirmUrl]),
  ];
  return (template: string, variant: string, customerContext: RenderContext) => {
    // The copy's locale: dates and prices in the locale of the words (see copy-locales.ts).
    const resolved = copy?.resolve(customerContext.customer.locale);
    const context =
      resolved === undefined
        ? customerContext
        : {
            ...customerContext,
            customer: {
              ...customerContext.customer,
              locale: resolved.formatting,
              language: resolved.language,
            },
          };
    const p = parsed.get(`${template}/${variant}`);
    if (p === undefined) throw new Error(`no ${template}/${variant}`);
    const subject = String(text.renderSync(p.subject, context)).trim();
    const preheader = String(text.renderSync(p.preheader, context)).replace(/\s+/g, " ").trim();
    const email = { ...context, email: { subject, preheader } };
    const tags = { source: "tailor", campaign: context.campaign.id, variant, template };
    return {
      subject,
      preheader,
      html: tagHtmlLinks(String(html.renderSync(p.html, email)), tags, untracked),
      text: tagTextLinks(tidyText(String(text.renderSync(p.text, email))), tags, untracked),
    };
  };
}

describe("HTML and text in one Liquid pass", () => {
  let compiled: CompiledTemplates;
  let samples: { name: string; context: RenderContext }[];
  let population: RenderContext[];

  beforeAll(async () => {
    const catalog = new InMemoryCatalog(simulatorCatalogProducts(42));
    samples = await sampleContexts({ catalog }, loadSampleProfiles(path.join(TEMPLATES_DIR, "samples")), {
      recommendations: 8,
    });
    compiled = await compileTemplates(TEMPLATES_DIR, { samples });
    const sim = simulatePopulation({ customers: 80, days: 30, seed: 11, start: Date.UTC(2026, 9, 1) });
    population = [];
    for (const customer of sim.customers) {
      const { context } = await prepareEmailContext(
        { catalog },
        {
          profile: customer.profile,
          now: sim.end,
          campaign: { id: "single-pass", name: "Single pass" },
          variant: "a",
          links: PREVIEW_LINKS,
          shop: PREVIEW_SHOP,
        },
      );
      population.push(context);
    }
  });

  it("merges every shipped template and variant", () => {
    for (const template of compiled.templates) {
      for (const variant of template.variants) {
        expect(mergeParts(variant.html, variant.text), `${template.name}/${variant.id}`).toBeDefined();
      }
    }
  });

  it("renders exactly what the two passes render, for every template × variant × sample and simulated customer", () => {
    const reference = twoPassRenderer(compiled);
    // Twice each: the second time from the fragment cache.
    const renderer = new EmailRenderer(compiled, PREVIEW_RENDERER);
    const contexts = [...samples.map((s) => s.context), ...population, ...population];
    let compared = 0;
    for (const template of compiled.templates) {
      for (const variant of template.variants) {
        for (const context of contexts) {
          const result = renderer.render({ template: template.name, variant: variant.id, context });
          if (!result.ok) throw result.error;
          const { subject, preheader, html, text } = result.email;
          expect({ subject, preheader, html, text }).toEqual(reference(template.name, variant.id, context));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(2_000);
  });

  it("still names the part and line that fails", () => {
    const renderer = new EmailRenderer(compiled, PREVIEW_RENDERER);
    const sample = samples[0];
    if (sample === undefined) throw new Error("no samples");
    // A product without a name: the product card fails in the HTML part first, as it always did.
    const [first, ...rest] = sample.context.recommendations;
    if (first === undefined) throw new Error("sample without recommendations");
    const nameless = { ...first };
    Reflect.deleteProperty(nameless, "name");
    const context = { ...sample.context, recommendations: [nameless, ...rest] };
    const result = renderer.render({ template: "newsletter", context });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.part).toBe("html");
    expect(result.error.message).toMatch(
      /undefined variable: product\.name \(html, line \d+ of the compiled html\)/,
    );
  });

  it("keeps the two passes when the parts' control flow differs or cannot be shared", () => {
    expect(mergeParts("{% if a %}<b>x</b>{% endif %}", "{% if a %}x{% endif %}")).toBeDefined();
    expect(mergeParts("{% if a %}<b>x</b>{% endif %}", "{% if b %}x{% endif %}")).toBeUndefined();
    expect(
      mergeParts("{% if a %}x{% endif %}{% if b %}{% endif %}", "{% if a %}x{% endif %}"),
    ).toBeUndefined();
    expect(
      mergeParts("{% capture c %}<b>x</b>{% endcapture %}", "{% capture c %}x{% endcapture %}"),
    ).toBeUndefined();
    expect(mergeParts("<p> {%- if a %}x{% endif %}</p>", "{%- if a %}x{% endif %}")).toBeUndefined();
    expect(mergeParts("{% cycle 'a', 'b' %}", "{% cycle 'a', 'b' %}")).toBeUndefined();
  });
});
