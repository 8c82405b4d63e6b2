import type { Profile } from "#shared/domain/profile/index.js";
import type { Evaluation, EvaluationContext } from "#shared/domain/segments/contracts.js";
import { evaluateAll, explainText, type SegmentLibrary } from "#shared/domain/segments/index.js";

/** One segment's verdict on one customer, as `tailor explain` shows it. */
export interface Explanation {
  readonly segmentId: string;
  readonly name: string;
  readonly version: number;
  readonly member: boolean;
  /** Entered at (ISO), from the stored membership, when the stored profile says the customer is in. */
  readonly storedSince: string | null;
  /** When time alone could change the verdict (ISO), if it can. */
  readonly nextChangeAt: string | null;
  readonly reason: Evaluation["reason"];
  /** The reason tree as text: one line per condition, ✓ or ✗, with the values seen. */
  readonly text: string;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

/** Evaluates every segment on the profile at `now` and pairs each verdict with its stored membership. */
export function explainProfile(
  library: SegmentLibrary,
  profile: Profile,
  now: number,
  context: EvaluationContext,
): Explanation[] {
  return evaluateAll(library, profile, now, context).map((evaluation) => {
    const definition = library.byId.get(evaluation.segmentId);
    return {
      segmentId: evaluation.segmentId,
      name: definition?.name ?? evaluation.segmentId,
      version: definition?.version ?? 0,
      member: evaluation.member,
      storedSince: iso(profile.sg?.[evaluation.segmentId]?.e),
      nextChangeAt: iso(evaluation.nextChangeAt),
      reason: evaluation.reason,
      text: explainText(evaluation),
    };
  });
}
