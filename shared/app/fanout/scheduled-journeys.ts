import {
  type CampaignDefinition,
  type CampaignLibrary,
  intentsForSchedule,
} from "#shared/domain/campaigns/index.js";
import type { Profile } from "#shared/domain/profile/index.js";
import { TailorError } from "#shared/errors.js";
import type { Clock } from "#shared/ports.js";
import { type SendScheduling, scheduleIntents } from "../schedule-intents.js";

const MINUTE_MS = 60_000;

/** A scheduled campaign could not fan out: unknown campaign, not a schedule, or the queue kept refusing. */
export class ScheduleFanOutError extends TailorError {}

/** A scheduled campaign and its audience segment. */
export interface ScheduledCampaign {
  readonly campaign: CampaignDefinition;
  readonly audience: string;
}

/** The campaign `campaignId` of the library, which must be a scheduled one. */
export function scheduledCampaign(library: CampaignLibrary, campaignId: string): ScheduledCampaign {
  const campaign = library.byId.get(campaignId);
  if (campaign === undefined) {
    throw new ScheduleFanOutError(`no campaign ${JSON.stringify(campaignId)}`, { retryable: false });
  }
  if (campaign.trigger.kind !== "schedule") {
    throw new ScheduleFanOutError(`campaign ${campaign.id} is not scheduled`, { retryable: false });
  }
  return { campaign, audience: campaign.trigger.audience };
}

/**
 * The tick's minute (epoch ms): the journeys' occurrence. `time` is EventBridge's ISO `time`; absent or not a
 * time, the clock's current minute.
 */
export function tickMinute(time: string | undefined, clock: Clock): number {
  const parsed = time === undefined ? Number.NaN : Date.parse(time);
  return Math.floor((Number.isNaN(parsed) ? clock.now() : parsed) / MINUTE_MS) * MINUTE_MS;
}

/** Whether the profile is in segment `segmentId` (an evaluated or a static membership). */
export function isAudienceMember(profile: Profile, segmentId: string): boolean {
  return profile.sg?.[segmentId] !== undefined || profile.ss?.includes(segmentId) === true;
}

/** What handing a page of members on did. */
export interface EnqueuedJourneys {
  readonly intents: number;
  readonly enqueued: number;
  readonly timed: number;
}

/**
 * Hands a journey per member to the sends queue (or send timers, for later steps), the tick `at` as the
 * occurrence, trying the intents not accepted again up to `attempts` times (SQS partial batch failures); throws
 * a retryable {@link ScheduleFanOutError} when some are still refused. Handing a journey on twice is harmless:
 * its send keys are the same, and the ledger sends nothing twice.
 */
export async function enqueueJourneys(
  sends: SendScheduling,
  clock: Clock,
  campaign: CampaignDefinition,
  customerIds: readonly string[],
  at: number,
  attempts: number,
): Promise<EnqueuedJourneys> {
  let pending = intentsForSchedule(campaign, customerIds, at);
  const intents = pending.length;
  let enqueued = 0;
  let timed = 0;
  for (let attempt = 1; pending.length > 0; attempt++) {
    const scheduled = await scheduleIntents(sends, pending, clock.now());
    enqueued += scheduled.enqueued;
    timed += scheduled.timed;
    pending = pending.filter((intent) => !scheduled.accepted.has(intent.key));
    if (pending.length > 0 && attempt >= attempts) {
      throw new ScheduleFanOutError(
        `${campaign.id}: ${pending.length} send intent(s) not accepted after ${attempts} attempts`,
        { retryable: true },
      );
    }
  }
  return { intents, enqueued, timed };
}
