import type { CampaignDefinition } from "#shared/domain/campaigns/index.js";
import { type CampaignReport, reportModel } from "#shared/domain/experiments/report-model.js";
import { readCampaignTotals } from "../experiments/campaign-totals.js";
import type { ConsoleDeps } from "./console-deps.js";

/** The significance and minimum detectable effect the console's reports use (those of `tailor report`). */
const REPORT_OPTIONS = { confidence: 0.95, minimumDetectableEffect: 0.1 } as const;

/** A campaign in the console's list. */
export interface CampaignSummary {
  readonly id: string;
  readonly name: string;
  readonly description: string | null;
  readonly purpose: string;
  readonly trigger: CampaignDefinition["trigger"];
  readonly steps: number;
}

/** Every campaign of the library: its trigger and number of steps. */
export function listCampaigns(deps: Pick<ConsoleDeps, "campaignLibrary">): CampaignSummary[] {
  return deps.campaignLibrary().campaigns.map((campaign) => ({
    id: campaign.id,
    name: campaign.name,
    description: campaign.description ?? null,
    purpose: campaign.purpose,
    trigger: campaign.trigger,
    steps: campaign.steps.length,
  }));
}

/** One campaign's page: the whole definition (trigger, steps, policy) and its experiment report, if it has sent. */
export interface CampaignDetail {
  readonly definition: CampaignDefinition;
  /** The experiment report with its verdicts; `null` before the campaign's first counted send. */
  readonly report: CampaignReport | null;
  readonly confidence: number;
}

/** One campaign with its experiment report (one query of its counters); `undefined` for an unknown id. */
export async function campaignDetail(
  deps: Pick<ConsoleDeps, "campaignLibrary" | "experiments">,
  campaignId: string,
  currency = "USD",
): Promise<CampaignDetail | undefined> {
  const definition = deps.campaignLibrary().byId.get(campaignId);
  if (definition === undefined) return undefined;
  const totals = await readCampaignTotals(deps.experiments, [definition], currency);
  const report = totals.length === 0 ? undefined : reportModel(totals, REPORT_OPTIONS).campaigns[0];
  return { definition, report: report ?? null, confidence: REPORT_OPTIONS.confidence };
}
