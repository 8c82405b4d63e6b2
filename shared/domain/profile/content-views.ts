/**
 * # Content views
 *
 * A content page viewed (a `page` call carrying `properties.content_id` or `properties.keywords`) folds into two
 * bounded fields, so the content block can pick articles by what the customer reads:
 *
 * - `ci`: per interest tag, `[views, last view time]`. The tags are the page's keywords and its category,
 *   lower-cased, trimmed, safe as map keys and at most {@link CONTENT_TAG_MAX} characters. At most
 *   {@link CONTENT_INTERESTS_MAX} tags are kept: a new tag pushes out the least recently viewed one (then the
 *   least viewed, then the last by name), so a reader's current interests always fit.
 * - `cv`: the ids of the last {@link CONTENT_VIEWED_MAX} items viewed, newest first (ids longer than
 *   {@link CONTENT_ID_MAX} characters are not remembered).
 *
 * Counts add up in any order, last times take the maximum; an older view joins the end of `cv` if absent.
 * Size as a DynamoDB item: about 350 bytes when both are full with ordinary tags and ids (12 tags of about 8
 * characters, 5 ids of about 20: measured), at most about 1 KB with 40-character tags and 64-character ids.
 *
 * @module
 */

import type { PageEvent } from "../events/event-types.js";
import { isSafeKey } from "../events/index.js";
import {
  CONTENT_ID_MAX,
  CONTENT_INTERESTS_MAX,
  CONTENT_TAG_MAX,
  CONTENT_VIEWED_MAX,
  type Profile,
} from "./profile.js";

/** A tag as the profile and the content library compare it; `undefined` when it cannot be kept. */
export function normalTag(tag: string): string | undefined {
  const normal = tag.trim().toLowerCase();
  return normal !== "" && normal.length <= CONTENT_TAG_MAX && isSafeKey(normal) ? normal : undefined;
}

/** The interest tags of a page view: its keywords and its category, normalised and unique. */
export function pageTags(page: PageEvent["page"]): string[] {
  const tags = [...(page.keywords ?? []), ...(page.category === undefined ? [] : [page.category])];
  return [...new Set(tags.flatMap((tag) => normalTag(tag) ?? []))];
}

/** Whether a page view is a content view (it names an item or carries keywords). */
export function isContentView(page: PageEvent["page"]): boolean {
  return page.contentId !== undefined || (page.keywords?.length ?? 0) > 0;
}

/**
 * Folds a content page view at `time` into `ci` and `cv`, in place. `newest`: no later page view was folded
 * before (the id goes first in `cv`; else it joins the end if absent and there is room).
 */
export function recordContentView(
  profile: Profile,
  page: PageEvent["page"],
  time: number,
  newest: boolean,
): void {
  if (!isContentView(page)) return;
  const tags = pageTags(page);
  if (tags.length > 0) {
    const interests = profile.ci ?? {};
    for (const tag of tags) {
      const entry = Object.hasOwn(interests, tag) ? interests[tag] : undefined;
      interests[tag] = entry === undefined ? [1, time] : [entry[0] + 1, Math.max(entry[1], time)];
    }
    profile.ci = keepRecentTags(interests);
  }
  const id = page.contentId;
  if (id === undefined || id.length > CONTENT_ID_MAX) return;
  const viewed = profile.cv ?? [];
  if (newest) profile.cv = [id, ...viewed.filter((other) => other !== id)].slice(0, CONTENT_VIEWED_MAX);
  else if (!viewed.includes(id) && viewed.length < CONTENT_VIEWED_MAX) profile.cv = [...viewed, id];
}

/** The {@link CONTENT_INTERESTS_MAX} most recently viewed tags (then most viewed, then by name). */
export function keepRecentTags(
  interests: Record<string, [number, number]>,
): Record<string, [number, number]> {
  const entries = Object.entries(interests);
  if (entries.length <= CONTENT_INTERESTS_MAX) return interests;
  entries.sort(([ak, [an, at]], [bk, [bn, bt]]) => bt - at || bn - an || (ak < bk ? -1 : ak > bk ? 1 : 0));
  return Object.fromEntries(entries.slice(0, CONTENT_INTERESTS_MAX));
}

/** The content interests of one customer who did what both did: counts added, last times the later. */
export function mergeContentInterests(
  a: Record<string, [number, number]> | undefined,
  b: Record<string, [number, number]> | undefined,
): Record<string, [number, number]> | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  const merged: Record<string, [number, number]> = { ...a };
  for (const [tag, [n, at]] of Object.entries(b)) {
    const entry = Object.hasOwn(merged, tag) ? merged[tag] : undefined;
    merged[tag] = entry === undefined ? [n, at] : [entry[0] + n, Math.max(entry[1], at)];
  }
  return keepRecentTags(merged);
}
