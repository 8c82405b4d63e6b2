import type { ProfilePages, SegmentMemberIndex } from "#shared/ports.js";
import type { FanOutPartInput } from "./plan-fanout.js";
import { isAudienceMember, ScheduleFanOutError } from "./scheduled-journeys.js";

/** Where a fan-out reads its audience: the profile table's scan slices, or the membership index. */
export interface AudienceReader {
  readonly profiles: Pick<ProfilePages, "page">;
  /** Required when the source is `index`. */
  readonly memberIndex?: SegmentMemberIndex;
}

/** One page of an audience: how many items were read, the members among them, and where the next page starts. */
export interface AudiencePage {
  readonly read: number;
  readonly members: string[];
  readonly cursor?: string;
}

/**
 * One page (at most about `limit` items) of part `input.part` of the audience `input.segmentId`, from `cursor`:
 * the membership index's entries, or the profiles of a scan slice kept when in the audience. The one reader of
 * both the campaign fan-out and the dry run, so both see the same audience.
 */
export async function readAudiencePage(
  deps: AudienceReader,
  input: Pick<FanOutPartInput, "source" | "segmentId" | "part" | "parts">,
  limit: number,
  cursor: string | undefined,
): Promise<AudiencePage> {
  const from = cursor === undefined ? {} : { cursor };
  if (input.source === "index") {
    if (deps.memberIndex === undefined) {
      throw new ScheduleFanOutError("the run reads the membership index, and there is none", {
        retryable: false,
      });
    }
    const page = await deps.memberIndex.page(input.segmentId, {
      part: input.part,
      parts: input.parts,
      limit,
      ...from,
    });
    const members = [...page.customerIds];
    return { read: members.length, members, ...(page.cursor === undefined ? {} : { cursor: page.cursor }) };
  }
  const page = await deps.profiles.page(
    { segment: input.part, totalSegments: input.parts },
    { limit, ...from },
  );
  const members = page.profiles
    .filter((stored) => isAudienceMember(stored.profile, input.segmentId))
    .map((stored) => stored.profile.customerId);
  return {
    read: page.profiles.length,
    members,
    ...(page.cursor === undefined ? {} : { cursor: page.cursor }),
  };
}
