import type { AliasEvent } from "../events/index.js";
import { KNOWN_IDS_MAX, type Profile } from "./profile.js";

/**
 * Records an `alias` call: `previousId` joins the ids the customer is known by (`ai`), newest first, at most
 * {@link KNOWN_IDS_MAX}. Nothing is merged: the profile of `previousId`, if any, stays as it is.
 */
export function recordAlias(profile: Profile, event: AliasEvent): void {
  const { previousId } = event.alias;
  if (previousId === profile.customerId) return;
  const list = profile.ai ?? [];
  profile.ai = [previousId, ...list.filter((id) => id !== previousId)].slice(0, KNOWN_IDS_MAX);
}
