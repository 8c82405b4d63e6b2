import { fromStoredKey, ownEntry, toStoredKey } from "./data-keys.js";
import { CAMPAIGN_TOUCHES_MAX, type Profile } from "./profile.js";

/**
 * Remembers that the customer was reached by `campaignId`'s `variant` at `at` (a delivery or a click), keeping the
 * newest touch per campaign and at most {@link CAMPAIGN_TOUCHES_MAX} campaigns (the oldest dropped). Campaign ids
 * come from events, so they are stored with {@link toStoredKey}: `constructor` is a campaign like any other.
 */
export function touchCampaign(profile: Profile, campaignId: string, variant: string, at: number): void {
  const touches = { ...profile.xa };
  const key = toStoredKey(campaignId);
  const known = ownEntry(touches, key);
  if (known !== undefined && known[1] >= at) return;
  touches[key] = [variant, at];
  profile.xa = newestTouches(touches);
}

/** The {@link CAMPAIGN_TOUCHES_MAX} campaigns touched most recently (one touch per stored key). */
export function newestTouches(
  touches: Readonly<Record<string, [string, number]>>,
): Record<string, [string, number]> {
  const kept = Object.entries(touches)
    .sort((a, b) => b[1][1] - a[1][1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, CAMPAIGN_TOUCHES_MAX);
  return Object.fromEntries(kept);
}

/**
 * The campaign an order at `at` is attributed to: the most recent touch at or before `at` and no more than
 * `windowMs` before it (last touch), or undefined.
 */
export function attributedTouch(
  profile: Pick<Profile, "xa">,
  at: number,
  windowMs: number,
): { readonly campaignId: string; readonly variant: string; readonly touchedAt: number } | undefined {
  let best: { campaignId: string; variant: string; touchedAt: number } | undefined;
  for (const [key, [variant, touchedAt]] of Object.entries(profile.xa ?? {})) {
    if (touchedAt > at || at - touchedAt > windowMs) continue;
    if (best === undefined || touchedAt > best.touchedAt) {
      best = { campaignId: fromStoredKey(key), variant, touchedAt };
    }
  }
  return best;
}
