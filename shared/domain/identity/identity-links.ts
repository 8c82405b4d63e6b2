import type { TailorEvent } from "../events/index.js";
import {
  IDENTITY_CONFLICTS_MAX,
  type IdentityConflict,
  type IdentityLink,
  type IdentityLinkKind,
  type Profile,
} from "../profile/index.js";

/** An id an event ties to its customer (the event's `userId`). */
export interface ClaimedLink {
  readonly id: string;
  readonly how: IdentityLinkKind;
}

/**
 * The ids an event ties to the known customer who sent it: the `anonymousId` of any event that also carries a
 * `userId` (Segment's libraries send both after `identify`), and the `previousId` of an `alias` call. An event
 * without a `userId` ties nothing: two anonymous ids are never merged by their events alone.
 */
export function claimedLinks(event: TailorEvent): ClaimedLink[] {
  const { userId, anonymousId } = event;
  if (userId === undefined) return [];
  const links: ClaimedLink[] = [];
  if (event.kind === "alias" && event.alias.previousId !== userId) {
    links.push({ id: event.alias.previousId, how: "alias" });
  }
  if (anonymousId !== undefined && anonymousId !== userId && !links.some((link) => link.id === anonymousId)) {
    links.push({ id: anonymousId, how: "identify" });
  }
  return links;
}

/** Whether the profile's identity graph holds `id` already (merged in, as any version). */
export function hasLinked(profile: Profile | undefined, id: string): boolean {
  return profile?.im?.some((link) => link.i === id) === true;
}

/** Whether the profile absorbed `id`'s profile at `version` (its snapshot is in the profile). */
export function hasAbsorbed(profile: Profile | undefined, id: string, version: number): boolean {
  return profile?.im?.some((link) => link.i === id && link.v >= version) === true;
}

/** The profile with `link` added to its identity graph (or updated, when the id is there at an older version). */
export function withLink(profile: Profile, link: IdentityLink): Profile {
  const others = (profile.im ?? []).filter((existing) => existing.i !== link.i);
  const previous = profile.im?.find((existing) => existing.i === link.i);
  // The first link stays the record of when and how the id joined; only the absorbed version moves on.
  const kept = previous === undefined ? link : { ...previous, v: Math.max(previous.v, link.v) };
  return { ...profile, im: [...others, kept] };
}

/**
 * The profile with a refused link recorded (newest first, at most {@link IDENTITY_CONFLICTS_MAX}); unchanged when
 * the same refusal (reason and id) is there already: it is recorded once, with the event that first met it, so a
 * redelivery or a repeat records nothing twice.
 */
export function withConflict(profile: Profile, conflict: IdentityConflict): Profile {
  const list = profile.ix ?? [];
  if (list.some((c) => c.r === conflict.r && c.i === conflict.i)) return profile;
  return { ...profile, ix: [conflict, ...list].slice(0, IDENTITY_CONFLICTS_MAX) };
}

/** The form an email address is held and indexed by as an identifier (`undefined` for none or a blank one). */
export function normalEmail(email: string | undefined): string | undefined {
  const normal = email?.trim().toLowerCase();
  return normal === undefined || normal === "" ? undefined : normal;
}
