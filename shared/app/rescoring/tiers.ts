import type { ModelScore } from "#shared/domain/segments/contracts.js";

/** Lowest probability of the `high` tier. */
export const HIGH_TIER_FROM = 0.6;
/** Lowest probability of the `medium` tier. */
export const MEDIUM_TIER_FROM = 0.3;

/**
 * The tier segments read (`tier: { model, in: [high] }`) for a probability: `high` at 0.6 and above,
 * `medium` at 0.3 and above, `low` below. Fixed cut points rather than population quantiles, so a tier keeps
 * its meaning ("likely") when the whole population drifts; drift is watched with {@link populationStability}.
 */
export function tierOf(p: number): ModelScore["t"] {
  if (p >= HIGH_TIER_FROM) return "high";
  if (p >= MEDIUM_TIER_FROM) return "medium";
  return "low";
}
