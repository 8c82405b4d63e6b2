import { TailorError } from "#shared/errors.js";
import { BASE_VARIANT, type CampaignDefinition, type Step, type Variant } from "./definition.js";

/** The email templates that exist: folder name under `templates/emails` → its variant ids (`a` first). */
export type TemplateCatalog = ReadonlyMap<string, readonly string[]>;

/** What a library's references are checked against. */
export interface CampaignReferences {
  readonly templates: TemplateCatalog;
  /** Ids of the segments in the segment library. */
  readonly segmentIds: ReadonlySet<string>;
  /** Names of the SMS templates (`templates/sms/<name>.liquid`). @default - SMS template names not checked */
  readonly smsTemplates?: ReadonlySet<string>;
}

/** Checked campaigns, by id, in the order given. */
export interface CampaignLibrary {
  readonly campaigns: readonly CampaignDefinition[];
  readonly byId: ReadonlyMap<string, CampaignDefinition>;
}

/** One reason a set of campaigns cannot form a library. */
export interface CampaignLibraryProblem {
  readonly campaignId: string;
  /** Path inside the definition, e.g. `steps[0].template`. */
  readonly path: string;
  readonly rule:
    | "duplicate_id"
    | "unknown_template"
    | "unknown_variant"
    | "unknown_segment"
    | "unknown_sms_template";
  readonly message: string;
}

/** Campaigns that cannot form a library: every problem, each naming its campaign. Never retryable. */
export class CampaignLibraryError extends TailorError {
  readonly problems: readonly CampaignLibraryProblem[];

  constructor(problems: readonly CampaignLibraryProblem[]) {
    super(
      `invalid campaign library: ${problems.map((p) => `${p.campaignId} ${p.path}: ${p.message}`).join("; ")}`,
      { retryable: false },
    );
    this.problems = problems;
  }
}

/** The variants a step sends: its own, or the campaign's. */
export function variantsOf(campaign: CampaignDefinition, step: Step): readonly Variant[] {
  return step.variants ?? campaign.variants;
}

/** What to render for one variant of one step. */
export interface SendContent {
  /** Template folder under `templates/emails`. */
  readonly template: string;
  /** The template's variant to render: the campaign variant's id when the template has it, else `a`. */
  readonly templateVariant: string;
  /** A Liquid subject replacing the template's. */
  readonly subject?: string;
  /** The variant's recommendation algorithm (`model` when absent). */
  readonly recommendations?: "model" | "best-sellers";
}

/** The content of variant `variantId` of a step (the base template when the variant is not in the step). */
export function sendContent(
  campaign: CampaignDefinition,
  step: Step,
  variantId: string,
  templates: TemplateCatalog,
): SendContent {
  const variant = variantsOf(campaign, step).find((v) => v.id === variantId);
  const template = variant?.template ?? step.template;
  const own = templates.get(template) ?? [];
  return {
    template,
    templateVariant: own.includes(variantId) ? variantId : BASE_VARIANT,
    ...(variant?.subject === undefined ? {} : { subject: variant.subject }),
    ...(variant?.recommendations === undefined ? {} : { recommendations: variant.recommendations }),
  };
}

function referenceProblems(campaign: CampaignDefinition, refs: CampaignReferences): CampaignLibraryProblem[] {
  const problems: CampaignLibraryProblem[] = [];
  const problem = (path: string, rule: CampaignLibraryProblem["rule"], message: string): void => {
    problems.push({ campaignId: campaign.id, path, rule, message });
  };
  const known = [...refs.templates.keys()].sort().join(", ");
  const trigger = campaign.trigger;
  if (trigger.kind === "segment" && !refs.segmentIds.has(trigger.segmentId)) {
    problem("trigger.segment", "unknown_segment", `refers to unknown segment ${trigger.segmentId}`);
  }
  if (trigger.kind === "schedule" && !refs.segmentIds.has(trigger.audience)) {
    problem("trigger.audience", "unknown_segment", `refers to unknown segment ${trigger.audience}`);
  }
  campaign.steps.forEach((step, i) => {
    if (step.channel !== "sms" && !refs.templates.has(step.template)) {
      problem(`steps[${i}].template`, "unknown_template", `no template ${step.template} (known: ${known})`);
    }
    if (step.sms !== undefined && refs.smsTemplates !== undefined && !refs.smsTemplates.has(step.sms)) {
      problem(
        `steps[${i}].sms`,
        "unknown_sms_template",
        `no SMS template ${step.sms} (templates/sms/${step.sms}.liquid)`,
      );
    }
  });
  const checkVariants = (variants: readonly Variant[], base: string, templateOf: (v: Variant) => string) => {
    variants.forEach((variant, i) => {
      const template = templateOf(variant);
      const own = refs.templates.get(template);
      if (variant.template !== undefined && own === undefined) {
        problem(`${base}[${i}].template`, "unknown_template", `no template ${template} (known: ${known})`);
        return;
      }
      // A variant that is not in its template and changes nothing would silently send the base template.
      if (
        own !== undefined &&
        !own.includes(variant.id) &&
        variant.template === undefined &&
        variant.subject === undefined &&
        variant.recommendations === undefined
      ) {
        problem(
          `${base}[${i}].id`,
          "unknown_variant",
          `template ${template} has no variant ${variant.id} (has: ${own.join(", ")}); add the folder, or set template, subject or recommendations`,
        );
      }
    });
  };
  campaign.steps.forEach((step, i) => {
    if (step.variants !== undefined) {
      checkVariants(step.variants, `steps[${i}].variants`, (v) => v.template ?? step.template);
    }
  });
  const usesCampaignVariants = campaign.steps.filter((step) => step.variants === undefined);
  for (const step of usesCampaignVariants) {
    checkVariants(campaign.variants, "variants", (v) => v.template ?? step.template);
  }
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}|${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Links checked campaigns into a library: ids unique, every template and variant exists, every segment a
 * trigger names exists. Throws {@link CampaignLibraryError} listing every problem.
 */
export function buildCampaignLibrary(
  campaigns: readonly CampaignDefinition[],
  refs: CampaignReferences,
): CampaignLibrary {
  const problems: CampaignLibraryProblem[] = [];
  const byId = new Map<string, CampaignDefinition>();
  for (const campaign of campaigns) {
    if (byId.has(campaign.id)) {
      problems.push({
        campaignId: campaign.id,
        path: "id",
        rule: "duplicate_id",
        message: `campaign id ${campaign.id} is defined more than once`,
      });
      continue;
    }
    byId.set(campaign.id, campaign);
    problems.push(...referenceProblems(campaign, refs));
  }
  if (problems.length > 0) throw new CampaignLibraryError(problems);
  return { campaigns: [...byId.values()], byId };
}
