import { isSafeKey, type TailorEvent, type Traits } from "../events/index.js";
import { liftSuppression } from "./consent.js";
import { CUSTOM_TRAITS_MAX, type Profile, type ProfileTraits } from "./profile.js";

/** The traits the profile keeps by name (the rest are custom traits, under `x`). */
export const KNOWN_TRAITS = [
  "email",
  "first_name",
  "last_name",
  "birthday",
  "country",
  "city",
  "region",
  "timezone",
  "locale",
  "phone",
  "gender",
] as const satisfies readonly (keyof Traits & keyof ProfileTraits)[];

/**
 * Folds an event's traits at `time`. The newest event wins trait by trait; an event older than the newest
 * traits already folded (`tu`) only fills traits that are missing. The device's time zone and locale
 * (`context`) only fill gaps: a trait given explicitly is never overridden by them. A newer, different email
 * address lifts a hard-bounce suppression, which belonged to the old address.
 */
export function mergeTraits(
  profile: Profile,
  traits: Traits | undefined,
  context: TailorEvent["context"],
  time: number,
): void {
  const current: ProfileTraits = profile.t ?? {};
  const newer = profile.tu === undefined || time >= profile.tu;
  let carried = false;
  for (const key of KNOWN_TRAITS) {
    const value = traits?.[key];
    if (value === undefined) continue;
    carried = true;
    if (value === current[key] || (!newer && current[key] !== undefined)) continue;
    if (key === "email" && current.email !== undefined) liftSuppression(profile, "hard_bounce");
    if (key === "phone" && current.phone !== undefined) liftSuppression(profile, "sms_failed");
    current[key] = value;
  }
  current.timezone ??= context?.timezone;
  current.locale ??= context?.locale;
  const custom = current.x ?? {};
  for (const [key, value] of Object.entries(traits?.custom ?? {})) {
    carried = true;
    if (!isSafeKey(key)) continue;
    const known = Object.hasOwn(custom, key);
    if ((!known && Object.keys(custom).length >= CUSTOM_TRAITS_MAX) || (known && !newer)) continue;
    custom[key] = value;
  }
  if (Object.keys(custom).length > 0) current.x = custom;
  if (Object.values(current).some((value) => value !== undefined)) profile.t = current;
  if (carried && newer) profile.tu = time;
}
