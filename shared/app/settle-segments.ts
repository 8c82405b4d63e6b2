import type { Profile } from "../domain/profile/index.js";
import type { EvaluationContext, SegmentTransition } from "../domain/segments/contracts.js";
import { evaluateAll, type SegmentLibrary } from "../domain/segments/index.js";
import { applyEvaluations } from "../domain/segments/membership.js";

/** A profile with its segments evaluated, ready to be written. */
export interface SettledProfile {
  /** Memberships `sg` updated, new transitions appended to the outbox `ob`, the timer due `tm` set or cleared. */
  readonly profile: Profile;
  /** The transitions this evaluation produced (also in `profile.ob`, unless historical). */
  readonly transitions: SegmentTransition[];
  /** A timer to put before the profile is written, so a written `tm` always has its timer. */
  readonly scheduleAt: number | undefined;
  /** Whether the memberships changed (an entry, an exit, a definition version). */
  readonly membershipChanged: boolean;
}

/**
 * Evaluates every segment of `library` on `profile` at `now` and prepares the write, purely. With `historical`
 * (the fold applied only imported history), the transitions are marked `historical` and kept out of the outbox:
 * memberships, sizes and timers follow them, but nothing is published, so no campaign starts.
 *
 * Timers: `tm` is the due time of the customer's pending timer. A timer is pending only while `tm > now`; one
 * at or before `now` has fired (or is firing). A new timer is needed when the next change is earlier than the
 * pending one, or when none is pending; a later next change needs none, because the pending timer fires,
 * re-evaluates and schedules the next. The invariant kept: when `tm > now`, a timer exists at or before `tm`.
 */
export function settleSegments(
  profile: Profile,
  library: SegmentLibrary,
  now: number,
  context: EvaluationContext,
  options: { readonly historical?: boolean } = {},
): SettledProfile {
  const evaluations = evaluateAll(library, profile, now, context);
  const update = applyEvaluations(profile, evaluations, library, now);
  const transitions = options.historical
    ? update.transitions.map((t): SegmentTransition => ({ ...t, historical: true }))
    : update.transitions;
  const settled: Profile = { ...update.profile };
  // Historical transitions are not published: their one consumer, segment-triggered campaigns, ignores them.
  if (transitions.length > 0 && options.historical !== true) {
    settled.ob = [...(profile.ob ?? []), ...transitions];
  }

  const pending = profile.tm !== undefined && profile.tm > now ? profile.tm : undefined;
  let scheduleAt: number | undefined;
  if (update.nextDue !== undefined && (pending === undefined || update.nextDue < pending)) {
    scheduleAt = update.nextDue;
    settled.tm = scheduleAt;
  } else if (pending === undefined) {
    Reflect.deleteProperty(settled, "tm");
  }
  return {
    profile: settled,
    transitions,
    scheduleAt,
    membershipChanged: update.changed,
  };
}
