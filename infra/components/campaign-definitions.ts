import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CampaignDefinition, CampaignLibrary } from "#shared/domain/campaigns/index.js";
import { loadCampaignLibrary } from "#shared/templates/campaign-files.js";
import type { BundledFolder } from "./project-function.js";
import type { SegmentDefinitions } from "./segment-definitions.js";

/** Where the functions find the campaign definitions, relative to their working directory (as for segments). */
export const CAMPAIGNS_DIR = "templates/campaigns";
/** Where the functions find the email templates. */
export const EMAILS_DIR = "templates/emails";
/** Where the blocks the email templates include are found, beside the emails. */
export const BLOCKS_DIR = "templates/blocks";

/** The repository's `templates` folder, found from this file wherever the repository is checked out. */
const repositoryTemplates = fileURLToPath(new URL("../../templates", import.meta.url));

/** A campaign triggered by a schedule, with its expression as written. */
export interface ScheduledCampaign {
  readonly id: string;
  /** `rate(...)` or `cron(...)`, as EventBridge takes it. */
  readonly expression: string;
}

/** Where {@link CampaignDefinitions.load} reads from. */
export interface CampaignSources {
  /**
   * Absolute path of the folder of campaign definitions.
   * @default - the repository's `templates/campaigns`
   */
  readonly campaignsDir?: string;
  /**
   * Absolute path of the folder holding `emails/` and `blocks/`.
   * @default - the repository's `templates`
   */
  readonly templatesDir?: string;
}

/**
 * The campaign definitions the app ships, validated when the app is built against the email templates and
 * the segment definitions: an invalid campaign throws the loader's `CampaignDefinitionError` (file, line, path,
 * rule), which fails `cdk synth`, the CDK tests and the local stack's start. Functions that create or send
 * intents carry the campaigns, emails and blocks in their bundles ({@link CampaignDefinitions.bundledFolders}).
 */
export class CampaignDefinitions {
  /** Absolute path of the folder the campaigns were read from. */
  readonly campaignsDir: string;
  /** Absolute path of the folder holding `emails/` and `blocks/`. */
  readonly templatesDir: string;
  /** What the loader made of them. */
  readonly library: CampaignLibrary;

  private constructor(campaignsDir: string, templatesDir: string, library: CampaignLibrary) {
    this.campaignsDir = campaignsDir;
    this.templatesDir = templatesDir;
    this.library = library;
  }

  /** Reads and validates the campaigns, checking the templates and segments they name exist. */
  static load(segments: SegmentDefinitions, sources: CampaignSources = {}): CampaignDefinitions {
    const templatesDir = sources.templatesDir ?? repositoryTemplates;
    const campaignsDir = sources.campaignsDir ?? join(templatesDir, "campaigns");
    const library = loadCampaignLibrary(campaignsDir, {
      templates: join(templatesDir, "emails"),
      segments: segments.library,
      smsTemplates: templatesDir,
    });
    return new CampaignDefinitions(campaignsDir, templatesDir, library);
  }

  /** The campaigns a schedule triggers, in id order. */
  get scheduled(): readonly ScheduledCampaign[] {
    return this.library.campaigns
      .flatMap((campaign: CampaignDefinition) =>
        campaign.trigger.kind === "schedule"
          ? [{ id: campaign.id, expression: campaign.trigger.schedule.expression }]
          : [],
      )
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** The campaigns, emails and (when there are any) blocks, as a function bundles them. */
  get bundledFolders(): readonly BundledFolder[] {
    const blocks = join(this.templatesDir, "blocks");
    return [
      { source: this.campaignsDir, target: CAMPAIGNS_DIR },
      { source: join(this.templatesDir, "emails"), target: EMAILS_DIR },
      ...(existsSync(blocks) ? [{ source: blocks, target: BLOCKS_DIR }] : []),
    ];
  }
}
