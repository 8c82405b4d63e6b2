import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { InMemoryContentStore } from "#shared/app/content/in-memory-content-store.js";
import { InMemoryCatalog } from "#shared/app/in-memory-catalog.js";
import { sampleContexts } from "#shared/app/sample-contexts.js";
import type { CatalogChange } from "#shared/domain/catalog/index.js";
import { emptyProfile } from "#shared/domain/profile/index.js";
import { compileTemplates, type SampleContext } from "#shared/render/compile/index.js";
import type { CompiledTemplates, RenderContext } from "#shared/render/index.js";
import { buildRenderContext, EmailRenderer } from "#shared/render/index.js";
import { PREVIEW_LINKS, PREVIEW_RENDERER, PREVIEW_SHOP } from "#shared/render/preview-settings.js";
import { loadSampleProfiles } from "#shared/render/samples.js";
import { demoContentLibrary, simulatorCatalogProducts } from "#shared/sim/index.js";

/** The time the demo content library is published relative to (the samples render around it). */
const SAMPLES_TIME = Date.UTC(2026, 10, 20);

/** The shipped templates folder. */
export const TEMPLATES_DIR = path.resolve("templates");

/** The shipped templates, compiled and checked against the shipped samples, with a renderer. */
export interface Shipped {
  readonly compiled: CompiledTemplates;
  readonly renderer: EmailRenderer;
  readonly samples: readonly SampleContext[];
  sample(name: string): SampleContext;
}

/** Compiles the shipped templates (about half a second). */
export async function shipped(): Promise<Shipped> {
  const catalog = new InMemoryCatalog(simulatorCatalogProducts(42));
  // The demo content library as of the samples' time, so the content block is rendered and checked too.
  const contentLibrary = new InMemoryContentStore(demoContentLibrary(SAMPLES_TIME));
  const samples = await sampleContexts(
    { catalog, contentLibrary },
    loadSampleProfiles(path.join(TEMPLATES_DIR, "samples")),
  );
  const compiled = await compileTemplates(TEMPLATES_DIR, { samples });
  return {
    compiled,
    renderer: new EmailRenderer(compiled, PREVIEW_RENDERER),
    samples,
    sample(name) {
      const found = samples.find((sample) => sample.name === name);
      if (found === undefined) throw new Error(`no sample ${name}`);
      return found;
    },
  };
}

/** The context of a customer with these traits and no events, rendered at `now`. */
export function contextWithTraits(traits: Readonly<Record<string, string>>, now: number): RenderContext {
  return buildRenderContext({
    profile: { ...emptyProfile("c-1", now), t: { ...traits } },
    now,
    campaign: { id: "camp", name: "Camp" },
    variant: "a",
    links: PREVIEW_LINKS,
    shop: PREVIEW_SHOP,
  });
}

/** Writes `files` (path → content) under a fresh temp folder and returns it. */
export function templateDir(files: Readonly<Record<string, string>>): string {
  const root = mkdtempSync(path.join(tmpdir(), "tailor-templates-"));
  for (const [file, content] of Object.entries(files)) {
    const full = path.join(root, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return root;
}

/** A minimal valid layout around `body` (MJML body content). */
export function layout(body: string): string {
  return `<mjml>
  <mj-body>
${body}
  </mj-body>
</mjml>
`;
}

/** A price drop of `productId` from €40 to €30 (25 % off), for the price-drop template's tests. */
export function priceDropChange(productId: string): CatalogChange {
  return { kind: "price-drop", productId, at: 0, currency: "EUR", before: 40, after: 30 };
}
