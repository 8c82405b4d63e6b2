import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { demoImages, withDemoImages, writeReferencedDemoImages } from "#infra/local/demo-images.js";
import { LocalStackError } from "#infra/local/local-errors.js";
import { InMemoryContentStore } from "#shared/app/content/in-memory-content-store.js";
import { prepareEmailContext } from "#shared/app/email-context.js";
import { InMemoryCatalog } from "#shared/app/in-memory-catalog.js";
import { PREVIEW_CAMPAIGN, sampleContexts } from "#shared/app/sample-contexts.js";
import { SageMakerRecommender } from "#shared/aws/sagemaker-recommender.js";
import type { Profile } from "#shared/domain/profile/index.js";
import type { Recommender } from "#shared/ports.js";
import { compileTemplates } from "#shared/render/compile/compile-templates.js";
import { EmailRenderer } from "#shared/render/email-renderer.js";
import { type PreviewEntry, previewIndexPage } from "#shared/render/preview-index.js";
import { PREVIEW_LINKS, PREVIEW_RENDERER, PREVIEW_SHOP } from "#shared/render/preview-settings.js";
import type { RenderContext } from "#shared/render/render-context.js";
import { describeProblem } from "#shared/render/render-errors.js";
import { loadSampleProfiles } from "#shared/render/samples.js";
import { SmsRenderer } from "#shared/render/sms-templates.js";
import { demoContentLibrary, simulatorCatalogProducts } from "#shared/sim/index.js";
import { loadSmsTemplates } from "#shared/templates/sms-files.js";
import { nothingFound } from "./cli-errors.js";
import { intFlag, stringFlag } from "./cli-options.js";
import { readProfile } from "./profile-command.js";
import { previewSms } from "./sms-preview.js";

const USAGE =
  "usage: tailor preview <template> --customer <id> | tailor preview [<template>] --all\n" +
  "  [--variant V] [--templates templates] [--out .tailor/preview] [--seed 42] [--endpoint NAME] [--data-dir D]";

/** A stored item with the fields every profile has (the store's own check). */
function isProfile(value: Record<string, unknown>): value is Profile {
  return (
    typeof value.customerId === "string" &&
    typeof value.version === "number" &&
    typeof value.k === "object" &&
    typeof value.lc === "object" &&
    typeof value.dd === "object"
  );
}

function safeName(text: string): string {
  return text.replace(/[^a-zA-Z0-9._-]+/g, "_").slice(0, 80);
}

/**
 * `tailor preview <template> --customer <id>`: renders a template (every variant) for a profile of the local
 * stack; `tailor preview --all`: every template × every sample profile × every variant. Writes the HTML and text
 * files and an index page (HTML and text side by side) under `.tailor/preview/`, and prints the page's path.
 * SMS templates (`templates/sms/<name>.liquid`) are rendered too, each text with its encoding and segments.
 * Exits 1 when any email failed to render.
 */
export async function previewCommand(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      customer: { type: "string" },
      all: { type: "boolean", default: false },
      variant: { type: "string" },
      templates: { type: "string" },
      samples: { type: "string" },
      out: { type: "string" },
      seed: { type: "string" },
      endpoint: { type: "string" },
      "data-dir": { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  const [template, ...extra] = positionals;
  const customerId = stringFlag(values.customer);
  if (
    extra.length > 0 ||
    values.all === (customerId !== undefined) ||
    (customerId !== undefined && template === undefined)
  ) {
    throw new LocalStackError(USAGE);
  }
  const templatesDir = path.resolve(stringFlag(values.templates) ?? "templates");
  const outDir = path.resolve(stringFlag(values.out) ?? ".tailor/preview");
  // The demo shop's pictures as files next to the previews (written below for the emails that show them).
  const imagesDir = path.join(outDir, "demo-images");
  const imagesUrl = pathToFileURL(imagesDir).href;
  const products = simulatorCatalogProducts(intFlag(values.seed, "seed", 42));
  const pictures = demoImages(products, PREVIEW_SHOP.name);
  const shop = { ...PREVIEW_SHOP, logo_url: `${imagesUrl}/logo.svg`, images_url: imagesUrl };
  const catalog = new InMemoryCatalog(withDemoImages(products, imagesUrl));
  const endpoint = stringFlag(values.endpoint);
  const recommender: Recommender | undefined =
    endpoint === undefined
      ? undefined
      : new SageMakerRecommender({
          client: new SageMakerRuntimeClient({ maxAttempts: 1 }),
          endpointName: endpoint,
        });
  // The demo content library, like the demo catalog: previews show the content block filled.
  const contentLibrary = new InMemoryContentStore(demoContentLibrary(Date.now()));
  const deps = { catalog, contentLibrary, ...(recommender === undefined ? {} : { recommender }) };

  const samples = await sampleContexts(
    deps,
    loadSampleProfiles(stringFlag(values.samples) ?? path.join(templatesDir, "samples")),
    { shop },
  );
  // The build checks run too: a preview of a template that would fail the build says why.
  const compiled = await compileTemplates(templatesDir, {
    samples,
    onWarning: (warning) => process.stderr.write(`warning: ${describeProblem(warning)}\n`),
  });
  const renderer = new EmailRenderer(compiled, PREVIEW_RENDERER);

  let recipients: { name: string; context: RenderContext }[];
  if (customerId !== undefined) {
    const stored = await readProfile(customerId, stringFlag(values["data-dir"]));
    if (stored === undefined || !isProfile(stored)) {
      return nothingFound(
        "preview",
        `no profile for ${customerId}`,
        "check the id (erased customers have none)",
      );
    }
    const { context } = await prepareEmailContext(deps, {
      profile: stored,
      now: Date.now(),
      campaign: PREVIEW_CAMPAIGN,
      variant: "a",
      links: PREVIEW_LINKS,
      shop,
    });
    recipients = [{ name: customerId, context }];
  } else {
    recipients = samples;
  }
  // SMS templates (`templates/sms/*.liquid`): previewed with their encoding and segment count.
  const sms = new SmsRenderer(loadSmsTemplates(templatesDir));
  if (template !== undefined && sms.names().includes(template)) {
    return previewSms(sms, [template], recipients, outDir) > 0 ? 1 : 0;
  }
  const chosen = renderer.templates().filter((entry) => template === undefined || entry.name === template);
  if (chosen.length === 0) {
    const names = renderer.templates().map((entry) => entry.name);
    throw new LocalStackError(
      `no template "${template}" in ${templatesDir} — templates: ${names.join(", ")}`,
    );
  }
  const only = stringFlag(values.variant);
  const wanted = chosen
    .map((entry) => ({
      name: entry.name,
      variants: entry.variants.filter((id) => only === undefined || id === only),
    }))
    .filter((entry) => entry.variants.length > 0);
  // Refused before anything is written: the index of the last preview stays.
  if (wanted.length === 0) {
    const existing = [...new Set(chosen.flatMap((entry) => entry.variants))].sort();
    return nothingFound(
      "preview",
      `no variant "${only}" in ${template === undefined ? "any template" : `template ${template}`}`,
      `variants: ${existing.join(", ")}`,
    );
  }
  // Texts have no variants: written with every email's preview, after the refusals above (which write nothing).
  const smsFailed =
    template === undefined && only === undefined ? previewSms(sms, sms.names(), recipients, outDir) : 0;

  const entries: PreviewEntry[] = [];
  for (const { name, variants } of wanted) {
    mkdirSync(path.join(outDir, name), { recursive: true });
    for (const recipient of recipients) {
      for (const variant of variants) {
        const result = renderer.render({ template: name, variant, context: recipient.context });
        const base = `${safeName(recipient.name)}-${variant}`;
        if (!result.ok) {
          entries.push({ template: name, variant, recipient: recipient.name, error: result.error.message });
          continue;
        }
        writeFileSync(path.join(outDir, name, `${base}.html`), result.email.html);
        writeReferencedDemoImages(result.email.html, imagesUrl, imagesDir, pictures);
        writeFileSync(path.join(outDir, name, `${base}.txt`), result.email.text);
        entries.push({
          template: name,
          variant,
          recipient: recipient.name,
          htmlFile: `${name}/${base}.html`,
          subject: result.email.subject,
          preheader: result.email.preheader,
          text: result.email.text,
        });
      }
    }
  }
  const index = path.join(outDir, "index.html");
  writeFileSync(index, previewIndexPage(entries, new Date().toISOString()));
  const failed = entries.filter((entry) => entry.error !== undefined);
  for (const entry of failed) process.stderr.write(`failed: ${entry.error}\n`);
  process.stdout.write(
    `${entries.length - failed.length} email(s) rendered, ${failed.length} failed\n${index}\n`,
  );
  return failed.length > 0 || smsFailed > 0 ? 1 : 0;
}
