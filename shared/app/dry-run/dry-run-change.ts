import type { CampaignLibrary } from "../../domain/campaigns/library.js";
import { intentsForSchedule } from "../../domain/campaigns/triggers.js";
import type { Profile } from "../../domain/profile/index.js";
import { evaluateAll, type SegmentLibrary } from "../../domain/segments/index.js";
import type { ProfilePages, StoredProfile } from "../../ports.js";
import { isAudienceMember, scheduledCampaign, tickMinute } from "../fanout/scheduled-journeys.js";
import { DEFAULT_DRY_RUN_PARTS, DEFAULT_DRY_RUN_SAMPLE } from "./dry-run-campaign.js";
import { audienceReads, type DispatchReads } from "./dry-run-reads.js";
import { type DryRunCounts, DryRunSession } from "./dry-run-session.js";

/** The definitions on disk a dry run compares with the current ones. */
export interface ProposedDefinitions {
  /** The campaigns with the changed one. @default - the current campaigns */
  readonly library?: CampaignLibrary;
  /**
   * The segments with the changed one: the proposed audience is evaluated from them on each profile (the stored
   * memberships are those of the current definition). @default - the stored memberships
   */
  readonly segments?: SegmentLibrary;
}

/** Customers who would receive the campaign under one definition and not under the other. */
export interface RecipientChange {
  count: number;
  /** The first few customer ids. */
  readonly sample: string[];
}

/** What `tailor campaign dry-run --campaign-file/--segment-file` reports. */
export interface DryRunChangeReport {
  readonly campaignId: string;
  readonly occurrence: string;
  readonly current: DryRunCounts & { readonly segmentId: string };
  readonly proposed: DryRunCounts & { readonly segmentId: string };
  /** Would receive it under the proposed definitions, not under the current ones. */
  readonly entering: RecipientChange;
  /** Would receive it under the current definitions, not under the proposed ones. */
  readonly leaving: RecipientChange;
}

/** What a change's dry run reads: dispatch's reading ports and the profile table's scan pages. */
export interface DryRunChangeDeps {
  readonly dispatch: DispatchReads;
  readonly profiles: Pick<ProfilePages, "page">;
}

const DEFAULT_PAGE_SIZE = 500;

/**
 * The difference a changed campaign or segment definition makes to who would receive a scheduled campaign's tick
 * at `at`: the profile table is scanned page by page (a proposed audience is in no index), each profile's
 * membership taken under the current definition (stored, as the fan-out reads it) and the proposed one
 * (evaluated, when a segment changed), and both sets of journeys decided by dispatch's code without writing
 * ({@link DryRunSession}); a page's recipients are compared at once, so memory stays bounded by a page.
 */
export async function dryRunChange(
  deps: DryRunChangeDeps,
  proposed: ProposedDefinitions,
  options: { campaignId: string; at: number; sample?: number; parts?: number; pageSize?: number },
): Promise<DryRunChangeReport> {
  const now = scheduledCampaign(deps.dispatch.library, options.campaignId);
  const next = scheduledCampaign(proposed.library ?? deps.dispatch.library, options.campaignId);
  const tick = tickMinute(new Date(options.at).toISOString(), { now: () => options.at });
  const sample = options.sample ?? DEFAULT_DRY_RUN_SAMPLE;
  const { profiles } = audienceReads(deps);
  const sessions = {
    current: new DryRunSession(deps.dispatch, { at: options.at, sample: 0 }),
    proposed: new DryRunSession(deps.dispatch, {
      at: options.at,
      sample: 0,
      view: (profile) =>
        withMembership(
          profile,
          next.audience,
          memberUnder(proposed.segments, profile, next.audience, options.at),
          options.at,
        ),
      ...(proposed.library === undefined ? {} : { library: proposed.library }),
    }),
  };
  const entering: RecipientChange = { count: 0, sample: [] };
  const leaving: RecipientChange = { count: 0, sample: [] };
  const parts = Math.max(1, Math.floor(options.parts ?? DEFAULT_DRY_RUN_PARTS));
  for (let part = 0; part < parts; part++) {
    let cursor: string | undefined;
    do {
      const page = await profiles.page(
        { segment: part, totalSegments: parts },
        { limit: options.pageSize ?? DEFAULT_PAGE_SIZE, ...(cursor === undefined ? {} : { cursor }) },
      );
      const current = page.profiles
        .filter((stored) => isAudienceMember(stored.profile, now.audience))
        .map(customerOf);
      const wanted = page.profiles
        .filter((stored) => memberUnder(proposed.segments, stored.profile, next.audience, options.at))
        .map(customerOf);
      const before = await recipients(
        sessions.current,
        intentsForSchedule(now.campaign, current, tick),
        options.at,
      );
      const after = await recipients(
        sessions.proposed,
        intentsForSchedule(next.campaign, wanted, tick),
        options.at,
      );
      for (const [session, read, members] of [
        [sessions.current, page.profiles.length, current.length],
        [sessions.proposed, page.profiles.length, wanted.length],
      ] as const) {
        session.counts.read += read;
        session.counts.members += members;
      }
      note(
        entering,
        [...after].filter((id) => !before.has(id)),
        sample,
      );
      note(
        leaving,
        [...before].filter((id) => !after.has(id)),
        sample,
      );
      cursor = page.cursor;
    } while (cursor !== undefined);
  }
  return {
    campaignId: options.campaignId,
    occurrence: new Date(tick).toISOString(),
    current: { ...sessions.current.counts, segmentId: now.audience },
    proposed: { ...sessions.proposed.counts, segmentId: next.audience },
    entering,
    leaving,
  };
}

const customerOf = (stored: StoredProfile) => stored.profile.customerId;

/** Membership of `segmentId`: evaluated from `segments` when it defines it, else as stored. */
function memberUnder(
  segments: SegmentLibrary | undefined,
  profile: Profile,
  segmentId: string,
  at: number,
): boolean {
  const definition = segments?.byId.get(segmentId);
  if (segments === undefined || definition === undefined || definition.static) {
    return isAudienceMember(profile, segmentId);
  }
  return evaluateAll(segments, profile, at, {}).some(
    (evaluation) => evaluation.segmentId === segmentId && evaluation.member,
  );
}

/** `profile` with its stored membership of `segmentId` as given (entered at `at` when it was not stored). */
function withMembership(profile: Profile, segmentId: string, member: boolean, at: number): Profile {
  const { [segmentId]: stored, ...others } = profile.sg ?? {};
  if (!member) return { ...profile, sg: others };
  return { ...profile, sg: { ...others, [segmentId]: stored ?? { e: at, v: 1 } } };
}

/** The customers the intents due at `at` would send to (later steps are counted, not decided). */
async function recipients(
  session: DryRunSession,
  intents: ReturnType<typeof intentsForSchedule>,
  at: number,
): Promise<Set<string>> {
  const due = intents.filter((intent) => intent.dueAt <= at);
  session.counts.later += intents.length - due.length;
  const emails = await session.decide(due);
  return new Set(emails.map((email) => email.customerId));
}

function note(change: RecipientChange, customerIds: readonly string[], sample: number): void {
  change.count += customerIds.length;
  for (const id of customerIds) {
    if (change.sample.length >= sample) break;
    change.sample.push(id);
  }
}
