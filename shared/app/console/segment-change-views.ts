import type { SegmentChange } from "#shared/ports.js";
import type { ConsoleDeps } from "./console-deps.js";

/** Customers listed per kind (entered, left): the most recent of the day. */
export const RECENT_CHANGES = 50;

/** Who entered and left one segment on one UTC day. */
export interface SegmentChangesView {
  readonly segmentId: string;
  readonly day: string;
  readonly entered: number;
  readonly exited: number;
  /** The most recent customers who entered (newest first), those whose profile still exists. */
  readonly recentEntered: readonly SegmentChange[];
  readonly recentExited: readonly SegmentChange[];
  /** Listed customers left out because their profile no longer exists (erased). */
  readonly dropped: number;
}

/**
 * The day's counts and the {@link RECENT_CHANGES} most recent customers of each kind (one read of the counts, two
 * bounded queries, one batch read of at most 100 profiles); customers whose profile is gone (erased) are not
 * listed. `undefined` for a segment the library does not hold.
 */
export async function segmentChanges(
  deps: Pick<ConsoleDeps, "segmentLibrary" | "changes" | "profiles">,
  segmentId: string,
  day: string,
): Promise<SegmentChangesView | undefined> {
  if (!deps.segmentLibrary().byId.has(segmentId)) return undefined;
  const found = (await deps.changes?.day(segmentId, day, RECENT_CHANGES)) ?? {
    entered: 0,
    exited: 0,
    recentEntered: [],
    recentExited: [],
  };
  const ids = [
    ...new Set([...found.recentEntered, ...found.recentExited].map((change) => change.customerId)),
  ];
  const existing = ids.length === 0 ? new Map() : await deps.profiles.getMany(ids);
  const kept = (changes: readonly SegmentChange[]) =>
    changes.filter((change) => existing.has(change.customerId));
  const recentEntered = kept(found.recentEntered);
  const recentExited = kept(found.recentExited);
  return {
    segmentId,
    day,
    entered: found.entered,
    exited: found.exited,
    recentEntered,
    recentExited,
    dropped:
      (found.dropped ?? 0) +
      found.recentEntered.length +
      found.recentExited.length -
      recentEntered.length -
      recentExited.length,
  };
}
