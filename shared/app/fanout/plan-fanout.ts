import type { CampaignLibrary } from "#shared/domain/campaigns/index.js";
import type {
  Clock,
  FanOutRunPlan,
  FanOutRuns,
  FanOutSource,
  ProfilePages,
  SegmentMemberIndex,
  SegmentStore,
} from "#shared/ports.js";
import { scheduledCampaign, tickMinute } from "./scheduled-journeys.js";

/** What {@link planFanOut} needs. */
export interface PlanFanOutDeps {
  readonly library: CampaignLibrary;
  /** The profile table: its item count sizes a scan's parts. */
  readonly profiles: Pick<ProfilePages, "approximateCount">;
  /** The segments' size counters: a segment's size sizes the index's parts. */
  readonly segments: Pick<SegmentStore, "sizes">;
  /** The membership index; absent (not deployed): the audience is read by a scan of the profile table. */
  readonly memberIndex?: SegmentMemberIndex;
  readonly runs: FanOutRuns;
  readonly clock: Clock;
}

/** How parts are sized. */
export interface PlanFanOutOptions {
  /** Profiles a scan part reads at most (the table's item count / this = parts). @default 50,000 */
  readonly profilesPerPart?: number;
  /** Members an index part reads at most. @default 50,000 */
  readonly membersPerPart?: number;
  /** Parts at least (the item count lags: DynamoDB refreshes it about every six hours). @default 4 */
  readonly minParts?: number;
  /** Parts at most (the map's children). @default 1,000 */
  readonly maxParts?: number;
  /** Parts exactly, instead of sizing them (bounded by `maxParts`). */
  readonly parts?: number;
}

/** A part of a run: what the `Parts` map hands each child. */
export interface FanOutPartInput {
  readonly campaignId: string;
  readonly occurrence: string;
  readonly source: FanOutSource;
  readonly segmentId: string;
  readonly part: number;
  readonly parts: number;
  /** Where the part's next page starts, as the previous invocation returned it. */
  readonly cursor?: string;
}

/** A run's plan and its parts: the `Plan` state's output. */
export interface FanOutPlan extends FanOutRunPlan {
  /** One item per part, for the `Parts` map. */
  readonly items: readonly { readonly part: number }[];
}

export const DEFAULT_PROFILES_PER_PART = 50_000;
export const DEFAULT_MAX_PARTS = 1_000;
export const DEFAULT_MIN_PARTS = 4;

function partsFor(size: number, perPart: number, bounds: { min: number; max: number }): number {
  return Math.min(bounds.max, Math.max(bounds.min, Math.ceil(size / Math.max(1, perPart))));
}

/**
 * Plans one tick of a scheduled campaign: the occurrence (the tick's minute), where the audience is read (the
 * segment membership index when there is one, else a scan of the profile table), and in how many parts (sized
 * from the segment's size or the table's item count). The run's record is started; a restart of the same
 * occurrence keeps the first start's plan, so its parts resume from their checkpoints.
 */
export async function planFanOut(
  deps: PlanFanOutDeps,
  tick: { readonly campaignId: string; readonly time?: string },
  options: PlanFanOutOptions = {},
): Promise<FanOutPlan> {
  const { campaign, audience } = scheduledCampaign(deps.library, tick.campaignId);
  const at = tickMinute(tick.time, deps.clock);
  const max = Math.max(1, Math.floor(options.maxParts ?? DEFAULT_MAX_PARTS));
  const bounds = { max, min: Math.min(max, Math.max(1, Math.floor(options.minParts ?? DEFAULT_MIN_PARTS))) };
  let source: FanOutSource;
  let parts: number;
  if (options.parts !== undefined) {
    source = deps.memberIndex === undefined ? "scan" : "index";
    parts = partsFor(options.parts, 1, { min: 1, max });
  } else if (deps.memberIndex !== undefined) {
    const [size] = await deps.segments.sizes([audience]);
    source = "index";
    parts = partsFor(size?.size ?? 0, options.membersPerPart ?? DEFAULT_PROFILES_PER_PART, bounds);
  } else {
    const count = await deps.profiles.approximateCount();
    source = "scan";
    parts = partsFor(count, options.profilesPerPart ?? DEFAULT_PROFILES_PER_PART, bounds);
  }
  const plan = await deps.runs.start({
    campaignId: campaign.id,
    occurrence: new Date(at).toISOString(),
    source,
    segmentId: audience,
    parts,
    startedAt: deps.clock.now(),
  });
  return { ...plan, items: Array.from({ length: plan.parts }, (_, part) => ({ part })) };
}
