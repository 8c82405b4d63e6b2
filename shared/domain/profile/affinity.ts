import { isSafeKey } from "../events/index.js";
import type { Affinity, Profile } from "./profile.js";
import { DAY_MS } from "./windows.js";

/** Affinity halves every 30 days without new activity in the category. */
export const AFFINITY_HALF_LIFE_MS = 30 * DAY_MS;
/** Weight of each signal: a view weighs less than an add, which weighs less than a purchase. */
export const AFFINITY_WEIGHTS = { view: 1, add: 3, purchase: 5 } as const;
/** Most categories kept: the lowest score goes first. */
export const AFFINITY_CATEGORIES_MAX = 10;
/** Scores below this are dropped. */
const SCORE_FLOOR = 0.01;

const decay = (ms: number): number => 2 ** (-ms / AFFINITY_HALF_LIFE_MS);
const round = (score: number): number => Math.round(score * 1000) / 1000;

/**
 * Adds a signal of `weight` for `category` at `time`. Scores share one as-of time (the newest signal): a newer
 * signal decays every score to its time first; an older one adds its weight already decayed, so the result
 * barely depends on the order signals arrive in (rounding to 3 decimals and the category cap aside).
 */
export function addAffinity(profile: Profile, category: string, weight: number, time: number): void {
  if (!isSafeKey(category)) return;
  const affinity = profile.a ?? { t: time, s: {} };
  const scores = affinity.s;
  if (time > affinity.t) {
    const factor = decay(time - affinity.t);
    for (const [key, score] of Object.entries(scores)) {
      const decayed = round(score * factor);
      if (decayed < SCORE_FLOOR) Reflect.deleteProperty(scores, key);
      else scores[key] = decayed;
    }
    affinity.t = time;
  }
  const added = round((scores[category] ?? 0) + weight * decay(affinity.t - time));
  if (added >= SCORE_FLOOR) scores[category] = added;
  keepStrongest(scores);
  if (profile.a !== undefined || Object.keys(scores).length > 0) profile.a = affinity;
}

/**
 * The affinity of one customer who did what both did: both decayed to the later of their times, scores added
 * per category (rounded as the fold rounds), the {@link AFFINITY_CATEGORIES_MAX} strongest kept.
 */
export function mergeAffinity(a: Affinity | undefined, b: Affinity | undefined): Affinity | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const t = Math.max(a.t, b.t);
  const scores: Record<string, number> = {};
  for (const side of [a, b]) {
    const factor = decay(t - side.t);
    for (const [key, score] of Object.entries(side.s)) {
      const sum = round((Object.hasOwn(scores, key) ? (scores[key] ?? 0) : 0) + score * factor);
      if (sum >= SCORE_FLOOR) scores[key] = sum;
    }
  }
  keepStrongest(scores);
  return { t, s: scores };
}

/** Drops all but the {@link AFFINITY_CATEGORIES_MAX} strongest categories, in place. */
function keepStrongest(scores: Record<string, number>): void {
  for (const [key] of rankScores(scores).slice(AFFINITY_CATEGORIES_MAX)) Reflect.deleteProperty(scores, key);
}

/** Categories by affinity at `now` (scores decayed to `now`), strongest first. */
export function affinityAt(profile: Profile, now: number): { category: string; score: number }[] {
  const affinity = profile.a;
  if (affinity === undefined) return [];
  const factor = decay(Math.max(0, now - affinity.t));
  return rankScores(affinity.s).map(([category, score]) => ({ category, score: round(score * factor) }));
}

function rankScores(scores: Record<string, number>): [string, number][] {
  return Object.entries(scores).sort(([ak, as], [bk, bs]) => bs - as || (ak < bk ? -1 : ak > bk ? 1 : 0));
}
