import type { SampleContext } from "../render/compile/compile-templates.js";
import { PREVIEW_LINKS, PREVIEW_SHOP } from "../render/preview-settings.js";
import type { ShopView } from "../render/render-context.js";
import type { SampleProfile } from "../render/samples.js";
import { type EmailContextDeps, prepareEmailContext } from "./email-context.js";
import { PREVIEW_CAMPAIGN } from "./preview-campaign.js";

export { PREVIEW_CAMPAIGN };

/**
 * The Liquid contexts of the sample profiles (for build checks, tests and previews): recommendations from
 * `deps`, the preview shop and links, each sample at its own `now`.
 */
export async function sampleContexts(
  deps: EmailContextDeps,
  samples: readonly SampleProfile[],
  options: {
    readonly variant?: string;
    readonly recommendations?: number;
    /** The shop of the emails. @default PREVIEW_SHOP */
    readonly shop?: ShopView;
  } = {},
): Promise<SampleContext[]> {
  return Promise.all(
    samples.map(async (sample) => {
      const { context } = await prepareEmailContext(deps, {
        profile: sample.profile,
        now: sample.now,
        campaign: PREVIEW_CAMPAIGN,
        variant: options.variant ?? "a",
        links: PREVIEW_LINKS,
        shop: options.shop ?? PREVIEW_SHOP,
        segments: sample.segments,
        scores: sample.scores,
        ...(sample.trigger === undefined ? {} : { trigger: sample.trigger }),
        ...(options.recommendations === undefined ? {} : { recommendations: options.recommendations }),
      });
      return { name: sample.name, context };
    }),
  );
}
