/**
 * # Segment membership
 *
 * Turns evaluations into stored memberships and transitions, purely. A member keeps the time it entered
 * (`sg[id].e`) for as long as it stays a member; its `v` follows the definition's version, so the batch path can
 * tell which definition admitted it. Leaving a segment removes its entry. Memberships of segments that are no
 * longer in the library are dropped without a transition: there is no definition left to emit one for.
 *
 * Only members are stored (non-members would cost bytes on every profile), so a definition's version cannot be
 * read off a non-member: the batch path re-evaluates every profile to find the ones a new version changes.
 *
 * @module
 */
import type { Profile } from "../profile/index.js";
import type { Evaluation, SegmentMembership, SegmentTransition } from "./contracts.js";
import type { SegmentLibrary } from "./index.js";

/** What applying one evaluation pass did to a profile. */
export interface MembershipUpdate {
  /** The profile with its memberships `sg` updated (a new object; the input is not mutated). */
  readonly profile: Profile;
  /** Entries and exits, in the library's evaluation order; empty when no membership changed. */
  readonly transitions: SegmentTransition[];
  /** The earliest `nextChangeAt` after `now` over every evaluation; undefined: time alone changes nothing. */
  readonly nextDue: number | undefined;
  /** Whether `sg` differs from the input's (an entry, an exit, a version, a dropped segment). */
  readonly changed: boolean;
}

/** The deterministic id of a transition, on which consumers de-duplicate. */
export function transitionId(
  customerId: string,
  segmentId: string,
  kind: SegmentTransition["kind"],
  at: number,
): string {
  return `${customerId}#${segmentId}#${kind}#${at}`;
}

/**
 * Applies `evaluations` (of every definition of `library`, at `now`) to the profile's memberships: an entry for
 * each new member (entered at `now`), a removal for each member that left, and the transitions between. An
 * evaluation of a segment missing from the library is ignored. `nextChangeAt` values at or before `now` are
 * ignored for `nextDue`: a timer for the past would fire at once and find nothing new.
 */
export function applyEvaluations(
  profile: Profile,
  evaluations: readonly Evaluation[],
  library: SegmentLibrary,
  now: number,
): MembershipUpdate {
  const before = profile.sg ?? {};
  const after: Record<string, SegmentMembership> = {};
  const transitions: SegmentTransition[] = [];
  let nextDue: number | undefined;
  let changed = false;

  for (const evaluation of evaluations) {
    const definition = library.byId.get(evaluation.segmentId);
    if (definition === undefined) continue;
    const { segmentId } = evaluation;
    const current = before[segmentId];
    if (evaluation.member) {
      if (current === undefined) {
        transitions.push(transition(profile.customerId, segmentId, "entered", now, definition.version));
        after[segmentId] = { e: now, v: definition.version };
        changed = true;
      } else {
        if (current.v !== definition.version) changed = true;
        after[segmentId] = { e: current.e, v: definition.version };
      }
    } else if (current !== undefined) {
      transitions.push(transition(profile.customerId, segmentId, "exited", now, definition.version));
      changed = true;
    }
    const at = evaluation.nextChangeAt;
    if (at !== undefined && at > now && (nextDue === undefined || at < nextDue)) nextDue = at;
  }

  // A member of a segment nobody evaluated this time is kept if the library still has it, dropped if not.
  const evaluated = new Set(evaluations.map((e) => e.segmentId));
  for (const [segmentId, membership] of Object.entries(before)) {
    if (evaluated.has(segmentId) && library.byId.has(segmentId)) continue;
    if (library.byId.has(segmentId)) after[segmentId] = membership;
    else changed = true;
  }

  // Shallow: nothing nested is mutated, and the fold already gave this batch its own copy.
  const next: Profile = { ...profile, sg: after };
  if (Object.keys(after).length === 0) Reflect.deleteProperty(next, "sg");
  return { profile: next, transitions, nextDue, changed };
}

function transition(
  customerId: string,
  segmentId: string,
  kind: SegmentTransition["kind"],
  at: number,
  version: number,
): SegmentTransition {
  return { id: transitionId(customerId, segmentId, kind, at), customerId, segmentId, kind, at, version };
}
