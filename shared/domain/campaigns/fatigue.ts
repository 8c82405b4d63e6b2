import { type Profile, type RecentSend, recentSendFlags } from "../profile/index.js";
import type { CampaignDefinition, FrequencyCap } from "./definition.js";

/**
 * What a customer's fatigue is read from, all already in the profile (no extra storage): the ring of the last
 * sends with their open and click flags (`e.r`), and the all-time counts of complaints (`k.ep`) and unsubscribes
 * (`k.un`, which stay counted after a new consent lifts the suppression).
 */
export interface FatigueInputs {
  /** Sends in the ring (at most 20). */
  readonly sends: number;
  /** Most recent sends in a row neither opened nor clicked. */
  readonly unengagedStreak: number;
  /** Share of the older half of the ring opened (or clicked). */
  readonly earlierOpenRate: number;
  /** Share of the newer half of the ring opened (or clicked). */
  readonly recentOpenRate: number;
  readonly complaints: number;
  readonly unsubscribes: number;
}

/** How tired of email a customer is: `fresh`, `tired` (cap lowered) or `fatigued` (low-priority mail skipped). */
export type FatigueLevel = "fresh" | "tired" | "fatigued";

/** A customer's fatigue: a score from 0 (engaged) to 1 (worn out), its level and what it was computed from. */
export interface Fatigue {
  readonly score: number;
  readonly level: FatigueLevel;
  readonly inputs: FatigueInputs;
}

/** Unengaged sends in a row that give the streak part its full weight. */
export const FATIGUE_STREAK_FULL = 6;
/** Fewest sends before a fall in opens counts (fewer halves are noise). */
export const FATIGUE_MIN_SENDS_FOR_TREND = 6;
/** Score from which a customer is `tired`. */
export const FATIGUE_TIRED = 0.4;
/** Score from which a customer is `fatigued`. */
export const FATIGUE_FATIGUED = 0.7;
/** Default priority below which a marketing campaign with a `fatigue` policy skips fatigued customers. */
export const FATIGUE_SKIP_BELOW_PRIORITY_DEFAULT = 50;

const share = (sends: readonly RecentSend[]): number =>
  sends.length === 0 ? 0 : sends.filter((send) => send.opened || send.clicked).length / sends.length;

/** The fatigue inputs of one profile. */
export function fatigueInputs(profile: Profile): FatigueInputs {
  const ring = recentSendFlags(profile);
  let unengagedStreak = 0;
  for (let i = ring.length - 1; i >= 0 && ring[i]?.opened === false; i--) unengagedStreak++;
  const half = Math.floor(ring.length / 2);
  return {
    sends: ring.length,
    unengagedStreak,
    earlierOpenRate: share(ring.slice(0, half)),
    recentOpenRate: share(ring.slice(half)),
    complaints: profile.k.ep?.n ?? 0,
    unsubscribes: profile.k.un?.n ?? 0,
  };
}

/**
 * The fatigue score of `inputs`, in [0, 1]: half the weight on the streak of unengaged sends (full at
 * {@link FATIGUE_STREAK_FULL}), half on the fall of the open rate from the older half of the ring to the newer
 * (once there are {@link FATIGUE_MIN_SENDS_FOR_TREND} sends), half per complaint or unsubscribe; the sum capped
 * at 1. It never falls when the streak, the fall or the feedback grows (monotone in each).
 */
export function fatigueScore(inputs: FatigueInputs): number {
  const streak = Math.min(1, inputs.unengagedStreak / FATIGUE_STREAK_FULL);
  const fall =
    inputs.sends >= FATIGUE_MIN_SENDS_FOR_TREND
      ? Math.max(0, inputs.earlierOpenRate - inputs.recentOpenRate)
      : 0;
  const feedback = Math.min(1, (inputs.complaints + inputs.unsubscribes) / 2);
  const score = Math.min(1, 0.5 * streak + 0.5 * fall + 0.5 * feedback);
  return Math.round(score * 100) / 100;
}

/** The level of a score: `fatigued` from {@link FATIGUE_FATIGUED}, `tired` from {@link FATIGUE_TIRED}. */
export function fatigueLevel(score: number): FatigueLevel {
  return score >= FATIGUE_FATIGUED ? "fatigued" : score >= FATIGUE_TIRED ? "tired" : "fresh";
}

/** The customer's fatigue now, from the profile alone. */
export function fatigueOf(profile: Profile): Fatigue {
  const inputs = fatigueInputs(profile);
  const score = fatigueScore(inputs);
  return { score, level: fatigueLevel(score), inputs };
}

/** The inputs in words, for `explain` and the skip reason: `6 unopened in a row, opens 80 % → 0 %, 1 complaint`. */
export function describeFatigue(fatigue: Fatigue): string {
  const { inputs } = fatigue;
  const percent = (rate: number) => `${Math.round(rate * 100)} %`;
  const parts = [
    `${inputs.unengagedStreak} of the last ${inputs.sends} unopened in a row`,
    `opens ${percent(inputs.earlierOpenRate)} → ${percent(inputs.recentOpenRate)}`,
  ];
  if (inputs.complaints > 0)
    parts.push(`${inputs.complaints} complaint${inputs.complaints === 1 ? "" : "s"}`);
  if (inputs.unsubscribes > 0)
    parts.push(`${inputs.unsubscribes} unsubscribe${inputs.unsubscribes === 1 ? "" : "s"}`);
  return `score ${fatigue.score.toFixed(2)}: ${parts.join(", ")}`;
}

/**
 * The frequency cap for a customer this tired: the campaign's cap with its `max` scaled by `1 − score / 2`
 * (at least 1) for a `tired` or `fatigued` customer, unchanged for a `fresh` one.
 */
export function fatigueCap(cap: FrequencyCap, fatigue: Fatigue): FrequencyCap {
  if (fatigue.level === "fresh") return cap;
  return { ...cap, max: Math.max(1, Math.floor(cap.max * (1 - fatigue.score / 2))) };
}

/**
 * Why fatigue stops this send (`fatigued: score 0.85: …`), or undefined: only a marketing campaign whose policy
 * has `fatigue` and whose `priority` is below its `skipBelowPriority` skips a `fatigued` customer.
 */
export function fatiguedReason(campaign: CampaignDefinition, fatigue: Fatigue): string | undefined {
  const policy = campaign.policy.fatigue;
  if (policy === undefined || campaign.purpose !== "marketing" || fatigue.level !== "fatigued")
    return undefined;
  if (campaign.priority >= policy.skipBelowPriority) return undefined;
  return `fatigued: ${describeFatigue(fatigue)}`;
}
