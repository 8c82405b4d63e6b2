import type { TailorEvent } from "#shared/domain/events/index.js";
import { profileFeatures } from "#shared/domain/features/index.js";
import { mayProfile } from "#shared/domain/profile/consent.js";
import type { Profile } from "#shared/domain/profile/index.js";
import type { ModelScore } from "#shared/domain/segments/contracts.js";
import type { Scorer } from "#shared/ports.js";
import { tierOf } from "./tiers.js";

/** Real-time scoring in ingest: which models, and how often at most per customer. */
export interface RealtimeScoring {
  readonly scorer: Scorer;
  readonly models: readonly string[];
  /** A customer is rescored at most once per this interval. @default 15 minutes */
  readonly minIntervalMs?: number;
}

/** Events that move a customer's likelihood to buy enough to rescore at once. */
const SIGNIFICANT: ReadonlySet<TailorEvent["kind"]> = new Set([
  "order_completed",
  "product_added",
  "checkout_started",
]);

/** What one customer's rescoring did. */
export type RealtimeOutcome = "scored" | "not-due" | "unavailable" | "no-consent";

/** The scores a real-time rescoring produced (none unless `outcome` is `scored`), and what happened. */
export interface RealtimeScores {
  readonly scores: Readonly<Record<string, ModelScore>>;
  readonly outcome: RealtimeOutcome | undefined;
}

const NONE: Readonly<Record<string, ModelScore>> = {};

/** One customer of a batch that real-time scoring may rescore: the profile folded with the batch's events. */
export interface RealtimeCandidate {
  readonly customerId: string;
  readonly profile: Profile;
  readonly events: readonly TailorEvent[];
}

/**
 * Whether the events hold one that makes a customer worth rescoring at once. Imported history does not: the
 * import is followed by a batch rescoring of everyone instead.
 */
export function hasSignificantEvent(events: readonly TailorEvent[]): boolean {
  return events.some((event) => SIGNIFICANT.has(event.kind) && event.historical !== true);
}

/**
 * Rescores the customers of an ingest batch right after a significant event (an order, a cart add, a checkout),
 * through the same scorer and features as the nightly run, so tiers move without waiting for the night: at most
 * once per `minIntervalMs` per customer (the scores' own time says when it was last done), with one scorer call
 * per model for all the customers that are due (many rows per `InvokeEndpoint`). Customers not due get their
 * outcome and no scores. When a call fails, every due customer is `unavailable` and keeps their last scores;
 * nothing is ever written as zero. The caller merges the scores into the profile it writes (and again into a
 * reloaded one after a conflict, without calling again).
 */
export async function scoreBatchInRealTime(
  scoring: RealtimeScoring,
  candidates: readonly RealtimeCandidate[],
  now: number,
): Promise<Map<string, RealtimeScores>> {
  const results = new Map<string, RealtimeScores>();
  const due: RealtimeCandidate[] = [];
  for (const candidate of candidates) {
    const outcome = notDue(scoring, candidate.profile, candidate.events, now);
    if (outcome === "due") due.push(candidate);
    else results.set(candidate.customerId, { scores: NONE, outcome });
  }
  if (due.length === 0) return results;
  const rows = due.map(({ profile }) => profileFeatures(profile, now).values);
  try {
    const predicted = await Promise.all(scoring.models.map((model) => scoring.scorer.score(model, rows)));
    due.forEach(({ customerId }, row) => {
      const scores: Record<string, ModelScore> = {};
      scoring.models.forEach((model, i) => {
        const p = predicted[i]?.[row];
        if (p !== undefined) scores[model] = { p, t: tierOf(p), at: now };
      });
      results.set(customerId, { scores, outcome: "scored" });
    });
  } catch {
    for (const { customerId } of due) results.set(customerId, { scores: NONE, outcome: "unavailable" });
  }
  return results;
}

/** `due` when the customer is to be rescored now, else why not (`undefined`: nothing significant happened). */
function notDue(
  scoring: RealtimeScoring,
  profile: Profile,
  events: readonly TailorEvent[],
  now: number,
): "due" | RealtimeOutcome | undefined {
  if (!hasSignificantEvent(events)) return undefined;
  if (!mayProfile(profile)) return "no-consent";
  const interval = scoring.minIntervalMs ?? 15 * 60_000;
  const last = Math.min(...scoring.models.map((model) => profile.sc?.[model]?.at ?? 0));
  return now - last < interval ? "not-due" : "due";
}
