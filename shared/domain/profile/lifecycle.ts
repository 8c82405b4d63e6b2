import type { Lifecycle, LifecycleStage, Profile } from "./profile.js";
import { DAY_MS } from "./windows.js";

/** An order keeps a customer `active` (or `repeat_buyer`) this many days. */
export const LIFECYCLE_ACTIVE_DAYS = 90;
/** After this many days without an order a `lapsed` customer is `churned`. */
export const LIFECYCLE_LAPSED_DAYS = 180;

const ACTIVE_MS = LIFECYCLE_ACTIVE_DAYS * DAY_MS;
const LAPSED_MS = LIFECYCLE_LAPSED_DAYS * DAY_MS;

/**
 * The lifecycle stage at `now` and since when (see the table in `profile.ts`). When the stage is the one
 * stored at the last fold, its stored `since` is kept; otherwise `since` is when the stage began: the last
 * order for `active` and `repeat_buyer`, last order + 90 days for `lapsed`, + 180 days for `churned`.
 */
export function lifecycleAt(profile: Profile, now: number): Lifecycle {
  const stage = stageAt(profile, now);
  const stored = profile.lc;
  if (stage === stored.s) {
    return stage === "new_lead" ? { s: stage, at: Math.min(stored.at, profile.fs ?? stored.at) } : stored;
  }
  const last = profile.o?.l ?? now;
  const since = {
    new_lead: profile.fs ?? now,
    active: last,
    repeat_buyer: last,
    lapsed: last + ACTIVE_MS,
    churned: last + LAPSED_MS,
  } as const satisfies Record<LifecycleStage, number>;
  return { s: stage, at: since[stage] };
}

/** When time alone would next change the stage (epoch ms), or undefined if it never would. */
export function lifecycleNextChangeAt(profile: Profile, now: number): number | undefined {
  const last = profile.o?.l;
  if (last === undefined || (profile.o?.n ?? 0) === 0) return undefined;
  if (now - last <= ACTIVE_MS) return last + ACTIVE_MS + 1;
  if (now - last <= LAPSED_MS) return last + LAPSED_MS + 1;
  return undefined;
}

function stageAt(profile: Profile, now: number): LifecycleStage {
  const orders = profile.o;
  if (orders === undefined || orders.n === 0 || orders.l === undefined) return "new_lead";
  const age = now - orders.l;
  if (age <= ACTIVE_MS) return orders.n >= 2 ? "repeat_buyer" : "active";
  return age <= LAPSED_MS ? "lapsed" : "churned";
}
