import type { ArmTotals, CampaignTotals } from "#shared/domain/experiments/report-model.js";

/** An arm's counters: email metrics proportional to `sent` unless given. */
export function arm(
  variant: string,
  counts: Partial<Omit<ArmTotals, "variant">> & { sent: number },
): ArmTotals {
  const holdout = variant === "holdout";
  return {
    variant,
    delivered: holdout ? 0 : counts.sent,
    opened: 0,
    clicked: 0,
    converted: 0,
    revenueMinor: 0,
    currency: "EUR",
    bounced: 0,
    complained: 0,
    ...counts,
  };
}

/** A campaign of the given arms. */
export function campaign(
  arms: readonly ArmTotals[],
  name = "Spring sale",
  campaignId = "spring-sale",
): CampaignTotals {
  return { campaignId, name, arms };
}

/**
 * A campaign as a report would see after a few weeks: three variants and a holdout in two segments, B clearly
 * ahead on clicks, C too small to judge.
 */
export function richCampaign(name = "Abandoned cart — spring edition"): CampaignTotals {
  const segmentArms = (segment: string, scale: number): ArmTotals[] => [
    arm("a", {
      segment,
      sent: 6000 * scale,
      delivered: 5900 * scale,
      opened: 1500 * scale,
      clicked: 240 * scale,
      converted: 60 * scale,
      revenueMinor: 420_000 * scale,
      bounced: 100 * scale,
      complained: 2 * scale,
    }),
    arm("b", {
      segment,
      sent: 6000 * scale,
      delivered: 5910 * scale,
      opened: 1580 * scale,
      clicked: 330 * scale,
      converted: 84 * scale,
      revenueMinor: 610_000 * scale,
      bounced: 90 * scale,
      complained: 1 * scale,
    }),
    arm("c", {
      segment,
      sent: 300 * scale,
      delivered: 296 * scale,
      opened: 80 * scale,
      clicked: 13 * scale,
      converted: 3 * scale,
      revenueMinor: 21_000 * scale,
      bounced: 4 * scale,
    }),
    arm("holdout", { segment, sent: 1500 * scale, converted: 9 * scale, revenueMinor: 60_000 * scale }),
  ];
  return {
    campaignId: "cart-recovery",
    name,
    arms: [...segmentArms("frequent buyers", 2), ...segmentArms("new customers", 1)],
  };
}
