import type { TailorEvent } from "../events/index.js";
import { lastAt, type Profile } from "../profile/index.js";
import type { SegmentTransition } from "../segments/index.js";
import type { JourneyTrigger, SendIntent } from "./contracts.js";
import type { CampaignDefinition, Trigger } from "./definition.js";
import { matchesWhere } from "./event-properties.js";
import { journeyIntents } from "./journey.js";
import type { CampaignLibrary } from "./library.js";
import {
  fitTrigger,
  TRIGGER_BATCH_BYTES_MAX,
  TRIGGER_BYTES_MAX,
  triggerBytes,
  triggerSnapshot,
} from "./trigger-snapshot.js";

type EventTrigger = Extract<Trigger, { kind: "event" }>;

/**
 * Trigger events older than this when ingested (a backfill, an import, a replay of old history) still update the
 * profile but start no journey: nobody wants a welcome email for a sign-up of last year. A day covers Kinesis's
 * retention of a stuck batch.
 */
export const TRIGGER_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** Occurrence of a journey a customer can have only once. */
export const ONCE_OCCURRENCE = "once";

const isTriggerKind = (trigger: EventTrigger, event: TailorEvent): boolean =>
  trigger.event.kind === "custom"
    ? event.kind === "custom" && event.name === trigger.event.name
    : event.kind === trigger.event.kind;

const latest = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.max(a, b);

/** The starts of the journeys `events` open for one event-triggered campaign (see README, one journey). */
function journeyStarts(
  campaign: CampaignDefinition,
  trigger: EventTrigger,
  before: Profile | undefined,
  events: readonly TailorEvent[],
): { occurrence: string; startedAt: number; event: TailorEvent }[] {
  // A custom event's last time is not kept by name, so only events of this batch tell what came before.
  let previous =
    before === undefined || trigger.event.kind === "custom" ? undefined : lastAt(before, trigger.event.kind);
  if (campaign.reentry.kind === "once") {
    if (previous !== undefined) return [];
    const first = events.find((event) => isTriggerKind(trigger, event) && matchesWhere(event, trigger.where));
    // A historical first occurrence: the customer's one journey would have been in the past.
    return first === undefined || first.historical === true
      ? []
      : [{ occurrence: ONCE_OCCURRENCE, startedAt: first.timestamp, event: first }];
  }
  const exitKinds = new Set(campaign.exitWhen.map((ref) => ref.kind));
  let lastExit: number | undefined;
  for (const ref of campaign.exitWhen) lastExit = latest(lastExit, before && lastAt(before, ref.kind));
  const starts: { occurrence: string; startedAt: number; event: TailorEvent }[] = [];
  for (const event of events) {
    const t = event.timestamp;
    if (exitKinds.has(event.kind)) lastExit = latest(lastExit, t);
    if (!isTriggerKind(trigger, event)) continue;
    // Not newer than what the profile already had: a replay, a duplicate or a late event of a known journey.
    if (previous !== undefined && t <= previous) continue;
    const opens =
      previous === undefined ||
      (lastExit !== undefined && lastExit > previous) ||
      t - previous >= campaign.reentry.ms;
    // Imported history opens nothing, but is what came before for the live events that follow it.
    if (opens && event.historical !== true && matchesWhere(event, trigger.where)) {
      starts.push({ occurrence: String(t), startedAt: t, event });
    }
    previous = t;
  }
  return starts;
}

/**
 * The send intents an ingested batch creates for one customer: for each event-triggered campaign, one journey
 * per trigger occurrence that opens a journey (see README, "One journey at a time"), each with every step and
 * the snapshot of the event that opened it (see {@link triggerSnapshot}), bounded to {@link TRIGGER_BYTES_MAX}
 * each and {@link TRIGGER_BATCH_BYTES_MAX} for the batch (further snapshots keep fewer lines, or none).
 * `before` is the profile before the batch (undefined for a new customer), `after` the profile it folded to;
 * events of other customers are ignored, and so are journeys whose trigger is older than `maxAgeMs` (see
 * {@link TRIGGER_MAX_AGE_MS}) or `historical` (imported history, however recent: it only counts as the past).
 */
export function intentsForEvents(
  library: CampaignLibrary,
  before: Profile | undefined,
  after: Profile,
  events: readonly TailorEvent[],
  now: number,
  maxAgeMs: number = TRIGGER_MAX_AGE_MS,
): SendIntent[] {
  const customerId = after.customerId;
  const sorted = events
    .filter((event) => event.customerId === customerId)
    .sort(
      (a, b) =>
        a.timestamp - b.timestamp || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0),
    );
  let budget = TRIGGER_BATCH_BYTES_MAX;
  const snapshotFor = (event: TailorEvent, steps: number): JourneyTrigger | undefined => {
    const snapshot = triggerSnapshot(event, before, after, sorted);
    if (snapshot === undefined) return undefined;
    const fitted = fitTrigger(snapshot, Math.min(TRIGGER_BYTES_MAX, Math.max(0, budget) / steps));
    budget -= triggerBytes(fitted) * steps;
    return fitted;
  };
  return library.campaigns.flatMap((campaign) => {
    const trigger = campaign.trigger;
    if (trigger.kind !== "event") return [];
    return journeyStarts(campaign, trigger, before, sorted)
      .filter((start) => start.startedAt >= now - maxAgeMs)
      .flatMap((start) =>
        journeyIntents(
          campaign,
          customerId,
          start.occurrence,
          start.startedAt,
          now,
          snapshotFor(start.event, campaign.steps.length),
        ),
      );
  });
}

/**
 * The intents a segment transition creates: one journey per campaign triggered by entering (or leaving) that
 * segment, starting at the transition. The occurrence is the transition time, so a re-delivered transition
 * yields the same keys. A `historical` transition (caused only by imported history) creates none.
 */
export function intentsForTransition(library: CampaignLibrary, transition: SegmentTransition): SendIntent[] {
  // Caused only by imported history: nobody wants a win-back for a lapse that happened before Tailor came.
  if (transition.historical === true) return [];
  return library.campaigns.flatMap((campaign) => {
    const trigger = campaign.trigger;
    if (
      trigger.kind !== "segment" ||
      trigger.segmentId !== transition.segmentId ||
      trigger.on !== transition.kind
    ) {
      return [];
    }
    return journeyIntents(
      campaign,
      transition.customerId,
      String(transition.at),
      transition.at,
      transition.at,
    );
  });
}

/**
 * The intents one schedule tick creates for a page of the audience's members: one journey each, whose
 * occurrence is the tick (ISO time), so a tick fanned out twice yields the same keys. Call it page by page.
 */
export function intentsForSchedule(
  campaign: CampaignDefinition,
  customerIds: Iterable<string>,
  tick: number,
): SendIntent[] {
  if (campaign.trigger.kind !== "schedule") return [];
  const occurrence = new Date(tick).toISOString();
  const intents: SendIntent[] = [];
  for (const customerId of customerIds)
    intents.push(...journeyIntents(campaign, customerId, occurrence, tick, tick));
  return intents;
}
