import type { CampaignLibrary } from "../domain/campaigns/index.js";
import type { Clock, ProfileScan } from "../ports.js";
import {
  enqueueJourneys,
  isAudienceMember,
  ScheduleFanOutError,
  scheduledCampaign,
  tickMinute,
} from "./fanout/scheduled-journeys.js";
import type { SendScheduling } from "./schedule-intents.js";

export { ScheduleFanOutError };

/** What {@link fanOutSchedule} needs. */
export interface ScheduleFanOutDeps {
  readonly library: CampaignLibrary;
  readonly profiles: ProfileScan;
  readonly sends: SendScheduling;
  readonly clock: Clock;
}

/** What the schedule rule passes: the campaign, and the tick's time (EventBridge's `time`). */
export interface ScheduleTick {
  readonly campaignId: string;
  /** ISO time of the tick; when absent, the current minute. */
  readonly time?: string;
}

export interface ScheduleFanOutOptions {
  /** Customers per page handed on at once (bounded memory). @default 200 */
  readonly pageSize?: number;
  /** Parallel scan slices read one after the other. @default 4 */
  readonly totalSegments?: number;
  /** Attempts per page before the run fails (a rerun of the same tick sends nothing twice). @default 3 */
  readonly attempts?: number;
}

/** What a fan-out did. */
export interface ScheduleFanOutSummary {
  readonly campaignId: string;
  /** ISO time of the tick: the journeys' occurrence. */
  readonly occurrence: string;
  scanned: number;
  members: number;
  intents: number;
  enqueued: number;
  timed: number;
}

/**
 * One tick of a scheduled campaign: reads the profiles slice by slice and page by page (never the whole audience
 * in memory), keeps the members of the campaign's audience, and hands a journey per member to the sends queue
 * (or send timers, for later steps). The occurrence is the tick's minute, so a retried or repeated tick yields
 * the same send keys and the ledger sends nothing twice. Consent, caps and quiet hours are the dispatcher's to
 * check, at send time.
 */
export async function fanOutSchedule(
  deps: ScheduleFanOutDeps,
  tick: ScheduleTick,
  options: ScheduleFanOutOptions = {},
): Promise<ScheduleFanOutSummary> {
  const { campaign, audience } = scheduledCampaign(deps.library, tick.campaignId);
  const at = tickMinute(tick.time, deps.clock);
  const summary: ScheduleFanOutSummary = {
    campaignId: campaign.id,
    occurrence: new Date(at).toISOString(),
    scanned: 0,
    members: 0,
    intents: 0,
    enqueued: 0,
    timed: 0,
  };
  const pageSize = options.pageSize ?? 200;
  const attempts = options.attempts ?? 3;
  const flush = async (page: string[]) => {
    const done = await enqueueJourneys(deps.sends, deps.clock, campaign, page, at, attempts);
    summary.intents += done.intents;
    summary.enqueued += done.enqueued;
    summary.timed += done.timed;
  };
  const totalSegments = options.totalSegments ?? 4;
  for (let segment = 0; segment < totalSegments; segment++) {
    let page: string[] = [];
    for await (const stored of deps.profiles.scan({ segment, totalSegments })) {
      summary.scanned++;
      if (!isAudienceMember(stored.profile, audience)) continue;
      summary.members++;
      page.push(stored.profile.customerId);
      if (page.length >= pageSize) {
        await flush(page);
        page = [];
      }
    }
    if (page.length > 0) await flush(page);
  }
  return summary;
}
