import type { GroupEvent } from "../events/index.js";
import { GROUPS_MAX, type GroupRef, type Profile } from "./profile.js";

/**
 * Records a `group` call in `gr`: the group with its traits as of this call, unless the profile already holds a
 * newer call for it. Groups are ordered by their newest call, most recent first; at most {@link GROUPS_MAX}, the
 * least recently grouped is dropped.
 */
export function recordGroup(profile: Profile, event: GroupEvent): void {
  const { groupId, traits } = event.group;
  const time = event.timestamp;
  const list = profile.gr ?? [];
  const known = list.find((group) => group.i === groupId);
  if (known !== undefined && known.at > time) return;
  const entry = { i: groupId, ...(Object.keys(traits).length > 0 ? { t: { ...traits } } : {}), at: time };
  const others = list.filter((group) => group.i !== groupId);
  profile.gr = newestGroups([...others, entry]);
}

/** Groups (one entry per group id) by their newest call, most recent first, at most {@link GROUPS_MAX}. */
export function newestGroups(groups: readonly GroupRef[]): GroupRef[] {
  return [...groups].sort((a, b) => b.at - a.at).slice(0, GROUPS_MAX);
}
