import { type CampaignLibrary, intentsForSchedule } from "../domain/campaigns/index.js";
import type { Profile } from "../domain/profile/index.js";
import { TailorError } from "../errors.js";
import type { Clock, ProfileScan } from "../ports.js";
import { type SendScheduling, scheduleIntents } from "./schedule-intents.js";

const MINUTE_MS = 60_000;

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

/** A scheduled campaign could not fan out: unknown campaign, not a schedule, or the queue kept refusing. */
export class ScheduleFanOutError extends TailorError {}

function isMember(profile: Profile, segmentId: string): boolean {
  return profile.sg?.[segmentId] !== undefined || profile.ss?.includes(segmentId) === true;
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
  const campaign = deps.library.byId.get(tick.campaignId);
  if (campaign === undefined) {
    throw new ScheduleFanOutError(`no campaign ${JSON.stringify(tick.campaignId)}`, { retryable: false });
  }
  if (campaign.trigger.kind !== "schedule") {
    throw new ScheduleFanOutError(`campaign ${campaign.id} is not scheduled`, { retryable: false });
  }
  const audience = campaign.trigger.audience;
  const parsed = tick.time === undefined ? Number.NaN : Date.parse(tick.time);
  const at = Math.floor((Number.isNaN(parsed) ? deps.clock.now() : parsed) / MINUTE_MS) * MINUTE_MS;
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
    let pending = intentsForSchedule(campaign, page, at);
    summary.intents += pending.length;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const scheduled = await scheduleIntents(deps.sends, pending, deps.clock.now());
      summary.enqueued += scheduled.enqueued;
      summary.timed += scheduled.timed;
      pending = pending.filter((intent) => !scheduled.accepted.has(intent.key));
      if (pending.length > 0 && attempt >= attempts) {
        throw new ScheduleFanOutError(
          `${campaign.id}: ${pending.length} send intent(s) not accepted after ${attempts} attempts`,
          { retryable: true },
        );
      }
    }
  };
  const totalSegments = options.totalSegments ?? 4;
  for (let segment = 0; segment < totalSegments; segment++) {
    let page: string[] = [];
    for await (const stored of deps.profiles.scan({ segment, totalSegments })) {
      summary.scanned++;
      if (!isMember(stored.profile, audience)) continue;
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
