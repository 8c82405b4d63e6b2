import type { CompiledTemplates } from "#shared/render/compiled-templates.js";
import { parseCompiledTemplates } from "#shared/render/compiled-templates.js";
import { EmailRenderer } from "#shared/render/email-renderer.js";
import { PREVIEW_LINKS, PREVIEW_RENDERER, PREVIEW_SHOP } from "#shared/render/preview-settings.js";
import { prepareEmailContext } from "../email-context.js";
import { PREVIEW_CAMPAIGN } from "../preview-campaign.js";
import type { ConsoleDeps } from "./console-deps.js";

/** A template in the console's list: its variants and the locales its copy ships in. */
export interface TemplateSummary {
  readonly name: string;
  readonly variants: readonly string[];
}

/** The templates, the locales and the sample profiles the page offers. */
export interface TemplateCatalogView {
  readonly version: string;
  readonly templates: readonly TemplateSummary[];
  readonly locales: readonly string[];
  readonly samples: readonly { readonly name: string; readonly description: string }[];
}

/** Who a preview is rendered for: a stored customer (audited) or a sample profile. */
export type PreviewRecipient = { readonly customerId: string } | { readonly sample: string };

/** One rendered email, or why it did not render. */
export type TemplatePreview =
  | {
      readonly ok: true;
      readonly version: string;
      readonly subject: string;
      readonly preheader: string;
      readonly html: string;
      readonly text: string;
      readonly locale: string;
    }
  | { readonly ok: false; readonly status: 404 | 422; readonly message: string };

/** The renderer of the current templates, rebuilt only when their version changes. */
export class TemplateRenderers {
  #current:
    | { readonly version: string; readonly renderer: EmailRenderer; readonly compiled: CompiledTemplates }
    | undefined;

  constructor(private readonly source: ConsoleDeps["templates"]) {}

  /** The renderer of the templates' current version. */
  async current(): Promise<{ version: string; renderer: EmailRenderer; compiled: CompiledTemplates }> {
    const version = await this.source.version();
    if (this.#current?.version === version) return this.#current;
    const loaded = await this.source.load();
    const compiled = parseCompiledTemplates(loaded.json, "the compiled templates");
    this.#current = {
      version: loaded.version,
      compiled,
      renderer: new EmailRenderer(compiled, PREVIEW_RENDERER),
    };
    return this.#current;
  }
}

/** The templates with their variants, the shipped locales and the sample profiles. */
export async function listTemplates(
  deps: Pick<ConsoleDeps, "sampleProfiles">,
  renderers: TemplateRenderers,
): Promise<TemplateCatalogView> {
  const { version, renderer, compiled } = await renderers.current();
  return {
    version,
    templates: renderer.templates(),
    locales: compiled.locales?.shipped ?? [],
    samples: deps.sampleProfiles().map((sample) => ({ name: sample.name, description: sample.description })),
  };
}

/**
 * Renders `template`'s `variant` for a stored customer (the read audited by the route) or a sample profile, in
 * `locale` when given (else the customer's own), with the preview shop and links.
 */
export async function previewTemplate(
  deps: Pick<ConsoleDeps, "profiles" | "sampleProfiles" | "catalog" | "contentLibrary" | "clock">,
  renderers: TemplateRenderers,
  request: {
    readonly template: string;
    readonly variant: string;
    readonly locale?: string;
    readonly recipient: PreviewRecipient;
  },
): Promise<TemplatePreview> {
  const { version, renderer } = await renderers.current();
  const entry = renderer.templates().find((candidate) => candidate.name === request.template);
  if (entry === undefined) return { ok: false, status: 404, message: `no template ${request.template}` };
  if (!entry.variants.includes(request.variant)) {
    return {
      ok: false,
      status: 404,
      message: `template ${request.template} has no variant ${request.variant} (variants: ${entry.variants.join(", ")})`,
    };
  }
  const recipient = await recipientOf(deps, request.recipient);
  if (recipient === undefined)
    return { ok: false, status: 404, message: "no such customer or sample profile" };
  const { context } = await prepareEmailContext(
    {
      catalog: deps.catalog,
      ...(deps.contentLibrary === undefined ? {} : { contentLibrary: deps.contentLibrary }),
    },
    {
      ...recipient,
      campaign: PREVIEW_CAMPAIGN,
      variant: request.variant,
      links: PREVIEW_LINKS,
      shop: PREVIEW_SHOP,
    },
  );
  const localized =
    request.locale === undefined
      ? context
      : {
          ...context,
          customer: {
            ...context.customer,
            locale: request.locale,
            language: request.locale.split("-")[0] ?? "en",
          },
        };
  const result = renderer.render({
    template: request.template,
    variant: request.variant,
    context: localized,
  });
  if (!result.ok) return { ok: false, status: 422, message: result.error.message };
  return {
    ok: true,
    version,
    subject: result.email.subject,
    preheader: result.email.preheader,
    html: result.email.html,
    text: result.email.text,
    locale: localized.customer.locale,
  };
}

async function recipientOf(
  deps: Pick<ConsoleDeps, "profiles" | "sampleProfiles" | "clock">,
  recipient: PreviewRecipient,
) {
  if ("sample" in recipient) {
    const sample = deps.sampleProfiles().find((candidate) => candidate.name === recipient.sample);
    return sample === undefined
      ? undefined
      : {
          profile: sample.profile,
          now: sample.now,
          segments: sample.segments,
          scores: sample.scores,
          ...(sample.trigger === undefined ? {} : { trigger: sample.trigger }),
        };
  }
  const stored = await deps.profiles.get(recipient.customerId);
  return stored === undefined ? undefined : { profile: stored.profile, now: deps.clock.now() };
}
