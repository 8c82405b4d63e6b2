/**
 * The rendering benchmark: emails rendered per second per core for the weekly newsletter with 8
 * recommendations, Tailor's way (MJML compiled once at build time; per email only Liquid on parsed templates,
 * link tagging and the text part) against a naive baseline that runs Liquid over the MJML source and compiles
 * MJML for every email (then makes the text part with html-to-text), as a ratio. CPU time of this process is
 * the measure (it renders on one thread), after a warm-up. Recipients are the sample profiles, in turn.
 */
import path from "node:path";
import { convert } from "html-to-text";
import mjml2html from "mjml";
import { prepareEmailContext } from "../shared/app/email-context.js";
import { InMemoryCatalog } from "../shared/app/in-memory-catalog.js";
import { sampleContexts } from "../shared/app/sample-contexts.js";
import { compileTemplates } from "../shared/render/compile/compile-templates.js";
import { expandIncludes } from "../shared/render/compile/expand-includes.js";
import { injectHead, wrapBareLiquid } from "../shared/render/compile/wrap-liquid.js";
import { CopyCatalog } from "../shared/render/copy-locales.js";
import { EmailRenderer } from "../shared/render/email-renderer.js";
import { createEngine } from "../shared/render/liquid-engine.js";
import { PREVIEW_LINKS, PREVIEW_RENDERER, PREVIEW_SHOP } from "../shared/render/preview-settings.js";
import type { EmailContext, RenderContext } from "../shared/render/render-context.js";
import { loadSampleProfiles } from "../shared/render/samples.js";
import { tagHtmlLinks } from "../shared/render/tracking-links.js";
import { simulatorCatalogProducts } from "../shared/sim/index.js";
import { simulatePopulation } from "../test/segments/sim-profiles.js";

const TARGET_PER_CORE = 2_000;
const TEMPLATE = "newsletter";
const POPULATION = 2_000;

const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** Renders `count` emails with `render` after `warmup` untimed ones; emails per CPU second. */
async function measure(render: (i: number) => Promise<number> | number, warmup: number, count: number) {
  for (let i = 0; i < warmup; i++) await render(i);
  let bytes = 0;
  const started = cpuMs();
  const wallStarted = performance.now();
  for (let i = 0; i < count; i++) bytes += await render(i);
  const cpu = cpuMs() - started;
  return {
    perCoreSecond: (count * 1000) / cpu,
    wallMs: performance.now() - wallStarted,
    bytes: bytes / count,
  };
}

/** Lines to print: throughput of both ways and the ratio. */
export async function renderBench(): Promise<string[]> {
  const root = path.resolve("templates");
  const catalog = new InMemoryCatalog(simulatorCatalogProducts(42));
  const recipients = await sampleContexts({ catalog }, loadSampleProfiles(path.join(root, "samples")), {
    recommendations: 8,
  });
  const withEight = recipients.filter((r) => r.context.recommendations.length === 8);
  const compiled = await compileTemplates(root, { samples: recipients });
  const renderer = new EmailRenderer(compiled, PREVIEW_RENDERER);
  const pick = (i: number) => withEight[i % withEight.length]?.context ?? withEight[0]?.context;

  const tailor = await measure(
    (i) => {
      const context = pick(i);
      if (context === undefined) throw new Error("no sample with 8 recommendations");
      const result = renderer.render({ template: TEMPLATE, context });
      if (!result.ok) throw result.error;
      return result.email.html.length + result.email.text.length;
    },
    500,
    4_000,
  );

  // The baseline: the same Liquid, run over the MJML source, then MJML and html-to-text for every email.
  // No fragment cache here: the baseline runs all of its Liquid for every email, as it always did.
  const copy = compiled.locales === undefined ? {} : { copy: new CopyCatalog(compiled.locales) };
  const html = createEngine("html", { fragmentCacheEntries: 0, ...copy });
  const text = createEngine("text", { fragmentCacheEntries: 0, ...copy });
  const source = wrapBareLiquid(
    injectHead(expandIncludes(root, `emails/${TEMPLATE}/layout.mjml`).source.text),
  );
  const parsedSource = html.parse(source);
  const variant = compiled.templates.find((t) => t.name === TEMPLATE)?.variants[0];
  if (variant === undefined) throw new Error(`no ${TEMPLATE} template`);
  const subject = text.parse(variant.subject);
  const preheader = text.parse(variant.preheader);
  const tags = { source: "tailor", campaign: "preview", variant: "a", template: TEMPLATE };
  const naive = await measure(
    async (i) => {
      const context = pick(i);
      if (context === undefined) throw new Error("no sample with 8 recommendations");
      const email: EmailContext = {
        ...context,
        email: {
          subject: String(text.renderSync(subject, context)),
          preheader: String(text.renderSync(preheader, context)),
        },
      };
      const mjml = String(html.renderSync(parsedSource, email));
      const out = tagHtmlLinks((await mjml2html(mjml, { validationLevel: "skip" })).html, tags, []);
      const plain = convert(out, { wordwrap: false });
      return out.length + plain.length;
    },
    10,
    150,
  );

  // A realistic send: every customer of a simulated shop once, each with their own recommendations, on a fresh
  // renderer (the fragment cache starts cold and fills as a real send would fill it).
  const population = simulatePopulation({
    customers: POPULATION,
    days: 30,
    seed: 11,
    start: Date.UTC(2026, 9, 1),
  });
  const contexts: RenderContext[] = [];
  for (const customer of population.customers) {
    const { context } = await prepareEmailContext(
      { catalog },
      {
        profile: customer.profile,
        now: population.end,
        campaign: { id: "newsletter-bench", name: "Newsletter" },
        variant: "a",
        links: PREVIEW_LINKS,
        shop: PREVIEW_SHOP,
      },
    );
    contexts.push(context);
  }
  // Warm the JIT as a long-running container would be, on a renderer of its own, then measure a fresh renderer:
  // the code is warm, the fragment cache is cold.
  const warm = new EmailRenderer(compiled, PREVIEW_RENDERER);
  for (const context of contexts) warm.render({ template: TEMPLATE, context });
  const fresh = new EmailRenderer(compiled, PREVIEW_RENDERER);
  let failed = 0;
  const shop = await measure(
    (i) => {
      const context = contexts[i % contexts.length];
      if (context === undefined) throw new Error("no simulated recipient");
      const result = fresh.render({ template: TEMPLATE, context });
      if (!result.ok) {
        failed++;
        return 0;
      }
      return result.email.html.length + result.email.text.length;
    },
    0,
    contexts.length,
  );

  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  const verdict = (perCore: number) => (perCore >= TARGET_PER_CORE ? "meets" : "MISSES");
  return [
    `rendering: the ${TEMPLATE} template with 8 recommendations, ${withEight.length} sample recipients in turn (HTML ≈ ${fmt(tailor.bytes / 1024)} KB + text)`,
    `  tailor (MJML compiled once, Liquid per email): ${fmt(tailor.perCoreSecond)} emails/s per core (${fmt(1e6 / tailor.perCoreSecond)} µs CPU each)`,
    `  baseline (MJML compiled per email)          : ${fmt(naive.perCoreSecond)} emails/s per core (${fmt(1e3 / naive.perCoreSecond)} ms CPU each)`,
    `  ratio: ${(tailor.perCoreSecond / naive.perCoreSecond).toFixed(0)}× faster; target ≥ ${fmt(TARGET_PER_CORE)} emails/s per core: ${verdict(tailor.perCoreSecond)}`,
    `  a simulated shop's newsletter send: ${contexts.length} customers once each, own recommendations, warm code, cold fragment cache: ` +
      `${fmt(shop.perCoreSecond)} emails/s per core (${fmt(1e6 / shop.perCoreSecond)} µs CPU each; ${failed} failed): ${verdict(shop.perCoreSecond)}`,
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const line of await renderBench()) console.log(line);
}
