import type { TailorEvent } from "../events/index.js";
import type { Profile } from "./profile.js";
import { DAY_MS, HOUR_MS } from "./windows.js";

/**
 * Records an event whose time was clamped to the time received (`event.clockSkewMs` set): one more in `sk.n`,
 * and the skew and time of the latest such event (of two received at the same time, the larger skew).
 */
export function recordClockSkew(profile: Profile, event: TailorEvent): void {
  const skew = event.clockSkewMs;
  if (skew === undefined) return;
  const at = event.timestamp;
  const current = profile.sk;
  if (current === undefined) {
    profile.sk = { n: 1, ms: skew, at };
    return;
  }
  current.n++;
  if (at > current.at || (at === current.at && skew > current.ms)) {
    current.ms = skew;
    current.at = at;
  }
}

/**
 * A sentence for `tailor profile` and `tailor explain` when events of the customer arrived from a clock too far
 * ahead, e.g. "3 events arrived with a clock ahead (the latest by 23 h); their time was set to the time received
 * (last 2026-11-23T12:00:00.000Z)"; undefined when none did.
 */
export function clockSkewNote(profile: Pick<Profile, "sk">): string | undefined {
  const skew = profile.sk;
  if (skew === undefined) return undefined;
  const one = skew.n === 1;
  const ahead = one
    ? `a clock ${duration(skew.ms)} ahead`
    : `a clock ahead (the latest by ${duration(skew.ms)})`;
  return (
    `${one ? "1 event" : `${skew.n} events`} arrived with ${ahead}; ${one ? "its" : "their"} time was set ` +
    `to the time received (${one ? "" : "last "}${new Date(skew.at).toISOString()})`
  );
}

/** `2 d`, `23 h`, `12 min`: whole units, rounded. */
function duration(ms: number): string {
  if (ms >= 2 * DAY_MS) return `${Math.round(ms / DAY_MS)} d`;
  if (ms >= HOUR_MS) return `${Math.round(ms / HOUR_MS)} h`;
  return `${Math.max(1, Math.round(ms / 60_000))} min`;
}
