import type { JourneyTrigger, SendIntent } from "./contracts.js";
import type { CampaignDefinition } from "./definition.js";

/** The idempotency key of one send: `${campaignId}#${customerId}#${occurrence}#${step}`. */
export function sendKey(campaignId: string, customerId: string, occurrence: string, step: number): string {
  return `${campaignId}#${customerId}#${occurrence}#${step}`;
}

/**
 * Every step of one journey, created up front: step `i` is due `delay` after the start (never before `now`).
 * Exit conditions and the policy are checked when each becomes due, so creating them early costs nothing.
 * Each step carries the `trigger` snapshot (the event that started the journey), which never enters the key.
 */
export function journeyIntents(
  campaign: CampaignDefinition,
  customerId: string,
  occurrence: string,
  startedAt: number,
  now: number,
  trigger?: JourneyTrigger,
): SendIntent[] {
  return campaign.steps.map((step, i) => ({
    key: sendKey(campaign.id, customerId, occurrence, i),
    campaignId: campaign.id,
    customerId,
    occurrence,
    step: i,
    template: step.template,
    dueAt: Math.max(startedAt + step.delayMs, now),
    startedAt,
    ...(trigger === undefined ? {} : { trigger }),
  }));
}
