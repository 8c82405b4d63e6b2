import type { ConsentPurpose } from "../events/index.js";
import type { Profile, Suppressions } from "./profile.js";

/**
 * Records a consent decision made at `time`; an older decision than the stored one is ignored. A marketing
 * consent newer than an unsubscribe lifts the unsubscribe suppression.
 */
export function recordConsent(
  profile: Profile,
  purpose: ConsentPurpose,
  granted: boolean,
  source: string | undefined,
  time: number,
): void {
  const current = profile.c?.[purpose];
  if (current !== undefined && current.at > time) return;
  profile.c = { ...profile.c, [purpose]: { g: granted, at: time, src: source } };
  const unsubscribed = profile.s?.unsubscribe;
  if (granted && purpose === "marketing_email" && unsubscribed !== undefined && unsubscribed.at <= time) {
    liftSuppression(profile, "unsubscribe");
  }
}

/**
 * Records an unsubscribe: consent for the purpose is withdrawn and, for marketing email, the customer is
 * suppressed with the list (or purpose) as the reason. A newer consent to the same purpose wins.
 */
export function recordUnsubscribe(
  profile: Profile,
  purpose: ConsentPurpose,
  list: string | undefined,
  time: number,
): void {
  const current = profile.c?.[purpose];
  if (current !== undefined && current.at > time) return;
  recordConsent(profile, purpose, false, "unsubscribe", time);
  if (purpose === "marketing_email") suppress(profile, "unsubscribe", list ?? purpose, time);
}

/** Sets a suppression; of two suppressions of the same kind the newer is kept. */
export function suppress(profile: Profile, kind: keyof Suppressions, reason: string, time: number): void {
  const current = profile.s?.[kind];
  if (current !== undefined && current.at > time) return;
  profile.s = { ...profile.s, [kind]: { r: reason, at: time } };
}

/** Removes a suppression. */
export function liftSuppression(profile: Profile, kind: keyof Suppressions): void {
  if (profile.s?.[kind] === undefined) return;
  const { [kind]: _lifted, ...rest } = profile.s;
  profile.s = Object.keys(rest).length > 0 ? rest : undefined;
}

/**
 * Whether the customer's data may be used for profiling (model scores, and what reads them): true unless the
 * customer withdrew `profiling` consent, and its latest decision is that withdrawal.
 *
 * Opt-out, not opt-in, because profiling for one's own marketing rests on legitimate interest with a right to
 * object (GDPR art. 21) in most deployments, and most customers never send a profiling decision at all: opt-in
 * would switch model scoring off for nearly everyone. A customer who objects is never in a segment by model
 * score (segment evaluation treats the scores as absent) and the rescoring path skips the customer.
 */
export function mayProfile(profile: Pick<Profile, "c">): boolean {
  return profile.c?.profiling?.g !== false;
}
