import { isProfileItem, profileInWords } from "#shared/app/console/profile-words.js";
import { profileSummary } from "./profile-view.js";

/**
 * A profile as a person reads it (see `profileInWords`), one line per row. `now` places the time-dependent
 * answers. An item that does not look like a profile is shown field by field instead.
 */
export function describeProfile(item: Record<string, unknown>, now: number): string[] {
  if (!isProfileItem(item)) return profileSummary(item);
  const { headline, rows } = profileInWords(item, now);
  return [headline, ...rows.map(([label, value]) => `  ${label.padEnd(15)} ${value}`)];
}
