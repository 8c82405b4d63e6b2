import { mapLimit } from "./map-limit.js";
import { countingSizes, resettleProfile } from "./resettle-profile.js";
import type { ResettleDeps } from "./segment-deps.js";
import { SegmentUsageError } from "./segment-errors.js";

/** What an import did. */
export interface ImportSummary {
  /** Customers whose profile now lists the segment (newly added). */
  added: number;
  /** Customers who were already listed. */
  alreadyListed: number;
  /** Customer ids with no profile: reported, never created. */
  unknown: string[];
  transitions: number;
  counterWrites: number;
}

/**
 * Imports a static segment's members: adds `segmentId` to each known customer's static list `ss`, re-evaluates
 * their segments (so they enter the static segment, and any segment built on it) and writes, emitting the
 * transitions. Unknown customers are reported, not created. Importing the same list twice changes nothing.
 */
export async function importStaticSegment(
  deps: ResettleDeps,
  segmentId: string,
  customerIds: readonly string[],
  options: { readonly concurrency?: number } = {},
): Promise<ImportSummary> {
  const definition = deps.segments.library.byId.get(segmentId);
  if (definition === undefined) {
    throw new SegmentUsageError(`no segment "${segmentId}" in the library`);
  }
  if (definition.static !== true) {
    throw new SegmentUsageError(`segment "${segmentId}" is defined by a rule, not a static list`);
  }
  const now = deps.clock.now();
  const summary: ImportSummary = {
    added: 0,
    alreadyListed: 0,
    unknown: [],
    transitions: 0,
    counterWrites: 0,
  };
  const ids = [...new Set(customerIds)];
  // Every import settles before its failure, if any, is thrown: the written profiles' size changes are counted.
  const { result: outcomes, counterWrites } = await countingSizes(deps.segments.store, (deltas) =>
    mapLimit(ids, options.concurrency ?? 8, async (customerId) => {
      let listed = false;
      const outcome = await resettleProfile(deps, customerId, now, {
        deltas,
        mutate: (profile) => {
          listed = profile.ss?.includes(segmentId) ?? false;
          return listed ? undefined : { ...profile, ss: [...(profile.ss ?? []), segmentId] };
        },
      });
      return { customerId, outcome, listed };
    }),
  );
  summary.counterWrites += counterWrites;
  for (const settled of outcomes) {
    if (settled.status === "rejected") throw settled.reason;
    const { customerId, outcome, listed } = settled.value;
    if (outcome.status === "missing") summary.unknown.push(customerId);
    else if (listed) summary.alreadyListed++;
    else summary.added++;
    summary.transitions += outcome.transitions;
  }
  return summary;
}
