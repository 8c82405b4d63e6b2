import { DAY_MS, HOUR_MS } from "../profile/index.js";
import type { SendIntent } from "./contracts.js";
import type { CampaignDefinition, WaitFor } from "./definition.js";

/** The window a `waitFor` without `within` waits: a day, the welcome's window. */
export const WAIT_DEFAULT_MS = DAY_MS;
/** The longest `within`: every waiting email costs a check now and then, so the wait is bounded. */
export const WAIT_MAX_DAYS = 7;
/** The first re-check of a waiting email comes this long after it was due. */
export const WAIT_FIRST_CHECK_MS = 60_000;
/** Re-checks of a waiting email are never further apart than this. */
export const WAIT_MAX_CHECK_GAP_MS = HOUR_MS;

/** When the email of `intent` stops waiting: its due time (start + step delay) plus the window. */
export function waitDeadline(intent: SendIntent, campaign: CampaignDefinition, waitFor: WaitFor): number {
  const delayMs = campaign.steps[intent.step]?.delayMs ?? 0;
  return intent.startedAt + delayMs + waitFor.withinMs;
}

/**
 * The next time a waiting email is checked again, at `now`: after as long as it has already waited (1 min,
 * 2 min, 4 min … so a consent that follows the sign-up by seconds sends it within a minute), at least
 * {@link WAIT_FIRST_CHECK_MS} and at most {@link WAIT_MAX_CHECK_GAP_MS} later, and never after `deadline`. A day's
 * wait costs about 30 checks.
 */
export function nextWaitCheck(dueAt: number, now: number, deadline: number): number {
  const gap = Math.min(Math.max(now - dueAt, WAIT_FIRST_CHECK_MS), WAIT_MAX_CHECK_GAP_MS);
  return Math.min(now + gap, deadline);
}
