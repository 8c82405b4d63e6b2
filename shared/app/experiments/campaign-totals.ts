import type { CampaignDefinition } from "#shared/domain/campaigns/index.js";
import type { ArmTotals, CampaignTotals } from "#shared/domain/experiments/report-model.js";
import type { ExperimentArmTotals, ExperimentCounters } from "#shared/ports.js";

/** One arm's counters as the report reads them (missing counters are 0). */
export function armTotals(arm: ExperimentArmTotals, currency: string): ArmTotals {
  const n = (metric: keyof ExperimentArmTotals["counts"]) => arm.counts[metric] ?? 0;
  return {
    variant: arm.arm,
    segment: arm.segment,
    sent: n("sent"),
    delivered: n("delivered"),
    opened: n("opened"),
    clicked: n("clicked"),
    converted: n("converted"),
    revenueMinor: n("revenue"),
    currency,
    bounced: n("bounced"),
    complained: n("complained"),
  };
}

/**
 * The report's input for each campaign: its arms' counters, read from the incremental experiment counters (one
 * query per campaign, never a scan of profiles). Campaigns with no counter yet are left out.
 */
export async function readCampaignTotals(
  counters: Pick<ExperimentCounters, "totals">,
  campaigns: readonly Pick<CampaignDefinition, "id" | "name">[],
  currency: string,
): Promise<CampaignTotals[]> {
  const totals = await Promise.all(
    campaigns.map(async (campaign) => ({
      campaignId: campaign.id,
      name: campaign.name,
      arms: (await counters.totals(campaign.id)).map((arm) => armTotals(arm, currency)),
    })),
  );
  return totals.filter((campaign) => campaign.arms.length > 0);
}
