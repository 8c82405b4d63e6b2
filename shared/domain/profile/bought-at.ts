import { newestOffset } from "./count-series.js";
import { boughtTimes } from "./orders.js";
import type { Profile } from "./profile.js";
import { HOUR_MS } from "./windows.js";

/**
 * When the customer last bought each product the profile remembers (`bp`/`bt`, see `boughtTimes`), and the
 * products ordered in the last 48 hours (`pc`) that `bp` does not hold, at the hour of that order (or the last
 * order; never due again when neither is known).
 */
export function boughtAt(profile: Profile): Map<string, number> {
  const times = boughtTimes(profile);
  for (const activity of profile.pc ?? []) {
    if ((activity.oc ?? "") === "" || times.has(activity.i)) continue;
    const offset = newestOffset(activity.oc);
    const hour =
      profile.wa === undefined || offset === undefined ? undefined : (profile.wa - offset) * HOUR_MS;
    times.set(activity.i, hour ?? profile.o?.l ?? profile.k.oc?.l ?? Number.MAX_SAFE_INTEGER);
  }
  return times;
}
