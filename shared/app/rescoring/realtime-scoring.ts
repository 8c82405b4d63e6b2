import type { TailorEvent } from "../../domain/events/index.js";
import { profileFeatures } from "../../domain/features/index.js";
import { mayProfile } from "../../domain/profile/consent.js";
import type { Profile } from "../../domain/profile/index.js";
import type { ModelScore } from "../../domain/segments/contracts.js";
import type { Scorer } from "../../ports.js";
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

/**
 * Rescores a customer right after a significant event (an order, a cart add, a checkout), through the same scorer
 * and features as the nightly run, so tiers move without waiting for the night; at most once per
 * `minIntervalMs` per customer (the scores' own time says when it was last done). When the endpoint fails the
 * profile keeps its last scores; nothing is ever written as zero. Resolves the new scores, for the caller to
 * merge into the profile it writes (and again into a reloaded one after a conflict, without calling again).
 */
export async function scoreInRealTime(
  scoring: RealtimeScoring,
  profile: Profile,
  events: readonly TailorEvent[],
  now: number,
): Promise<RealtimeScores> {
  if (!events.some((event) => SIGNIFICANT.has(event.kind))) return { scores: NONE, outcome: undefined };
  if (!mayProfile(profile)) return { scores: NONE, outcome: "no-consent" };
  const interval = scoring.minIntervalMs ?? 15 * 60_000;
  const last = Math.min(...scoring.models.map((model) => profile.sc?.[model]?.at ?? 0));
  if (now - last < interval) return { scores: NONE, outcome: "not-due" };
  const features = profileFeatures(profile, now).values;
  try {
    const predicted = await Promise.all(
      scoring.models.map((model) => scoring.scorer.score(model, [features])),
    );
    const scores: Record<string, ModelScore> = {};
    scoring.models.forEach((model, i) => {
      const p = predicted[i]?.[0];
      if (p !== undefined) scores[model] = { p, t: tierOf(p), at: now };
    });
    return { scores, outcome: "scored" };
  } catch {
    return { scores: NONE, outcome: "unavailable" };
  }
}
