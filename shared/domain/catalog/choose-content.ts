/**
 * # Choosing content for a customer
 *
 * {@link chooseContent} ranks the content library for one customer, purely:
 *
 * 1. **Locale**: an item is eligible when its `locale` is the customer's locale (`fr-CA`), or the customer's
 *    language (`fr`, or another `fr-*`), or the library's default (no `locale`, or the default locale's
 *    language, `en` unless told): `fr-CA → fr → default`. Items in any other language are never chosen.
 *    Translations of one piece share an id before a `.<locale>` suffix (`compost-basics`, `compost-basics.fr`):
 *    of one piece only the best-matching translation is a candidate.
 * 2. **Interests** ({@link contentInterests}): category affinity (views 1, adds 3, purchases 5, halving every 30
 *    days), content read (each view of a tag {@link CONTENT_VIEW_WEIGHT}, halving every
 *    {@link CONTENT_RECENCY_HALF_LIFE_DAYS} days since the last view), and recent activity (the categories of
 *    the products the customer was last active on: {@link RECENT_ACTIVITY_WEIGHT} for the latest, less for
 *    older). Scores are scaled so the strongest interest is 1; an item's relevance is the sum over its tags.
 * 3. **Newness**: `2^(-age / 30 days)` of `publishedAt` (0 without one), weighing {@link NEWNESS_WEIGHT}.
 *    The score is `(relevance + NEWNESS_WEIGHT × newness) × locale factor` (1 exact, 0.85 language, 0.6
 *    default); ties by newer, then by id.
 * 4. **Rotation**: an item (or a translation of it) sent in the customer's last email(s) is not chosen again;
 *    an item the customer already read (`cv`) goes after every unread one.
 *
 * **Fallback**: with no interests (a new customer, or one who withdrew profiling consent) relevance is 0 for
 * every item, so the newest items in the customer's language come first; an empty library gives an empty list
 * (templates test `{% if content.size > 0 %}`).
 *
 * @module
 */
import { mayProfile } from "../profile/consent.js";
import { normalTag } from "../profile/content-views.js";
import { affinityAt, DAY_MS, type Profile } from "../profile/index.js";
import type { ContentItem } from "./content-item.js";

/** Weight of one view of a content tag, before its recency decay. */
export const CONTENT_VIEW_WEIGHT = 2;
/** A content tag's weight halves this many days after its last view. */
export const CONTENT_RECENCY_HALF_LIFE_DAYS = 14;
/** Weight of the category of the product the customer was active on last; the n-th latest gets this / n. */
export const RECENT_ACTIVITY_WEIGHT = 3;
/** How many of the most recently active products count as recent activity. */
export const RECENT_ACTIVITY_PRODUCTS = 5;
/** Weight of newness against relevance (relevance of one fully matching tag is 1). */
export const NEWNESS_WEIGHT = 0.25;
/** Newness halves every this many days after `publishedAt`. */
export const NEWNESS_HALF_LIFE_DAYS = 30;
/** Most items a content block may hold (and the ledger records per email). */
export const CONTENT_BLOCK_MAX = 6;
/** Score factor of each locale tier: exact locale, same language, library default. */
const LOCALE_FACTORS = [1, 0.85, 0.6] as const;
/** Factor of an item the customer already read. */
const READ_FACTOR = 0.1;

/** Interest per tag (lower case), the strongest scaled to 1. */
export type Interests = ReadonlyMap<string, number>;

const halving = (ms: number, halfLifeDays: number): number =>
  2 ** (-Math.max(0, ms) / (halfLifeDays * DAY_MS));

/**
 * The customer's interests at `now`: category affinity, content tags read (decayed since their last view) and the
 * categories of recent product activity, summed per tag and scaled so the strongest is 1. Empty for a customer
 * who withdrew profiling consent.
 */
export function contentInterests(profile: Profile, now: number): Interests {
  if (!mayProfile(profile)) return new Map();
  const scores = new Map<string, number>();
  const add = (tag: string | undefined, score: number) => {
    const normal = tag === undefined ? undefined : normalTag(tag);
    if (normal !== undefined && score > 0) scores.set(normal, (scores.get(normal) ?? 0) + score);
  };
  for (const { category, score } of affinityAt(profile, now)) add(category, score);
  for (const [tag, [views, last]] of Object.entries(profile.ci ?? {})) {
    add(tag, CONTENT_VIEW_WEIGHT * views * halving(now - last, CONTENT_RECENCY_HALF_LIFE_DAYS));
  }
  const recent = (profile.pc ?? []).slice(0, RECENT_ACTIVITY_PRODUCTS);
  for (const [index, activity] of recent.entries()) add(activity.k, RECENT_ACTIVITY_WEIGHT / (index + 1));
  const strongest = Math.max(0, ...scores.values());
  if (strongest === 0) return new Map();
  return new Map([...scores].map(([tag, score]) => [tag, score / strongest]));
}

/** What {@link chooseContent} weighs besides the library. */
export interface ContentChoiceInput {
  readonly interests: Interests;
  /** The customer's BCP 47 locale (`fr-CA`). */
  readonly locale: string;
  /** Locale of items without one. @default "en" */
  readonly defaultLocale?: string;
  /** Ids of the items sent in the customer's last email(s): never chosen again in a row. */
  readonly recentlySent?: readonly string[];
  /** Ids of the items the customer read: chosen after every unread one. */
  readonly read?: readonly string[];
  readonly now: number;
  /** How many items. At most {@link CONTENT_BLOCK_MAX}. */
  readonly limit: number;
}

/** A chosen item with why it ranks where it does. */
export interface ChosenContent {
  readonly item: ContentItem;
  readonly score: number;
  /** The item's tags the customer is interested in, strongest first. */
  readonly matched: readonly string[];
}

const languageOf = (locale: string): string => (locale.split("-")[0] ?? locale).toLowerCase();

/**
 * The piece an item translates: its id without a trailing `.<locale>` when that is the item's own locale
 * (`compost-basics.fr` with locale `fr` is `compost-basics`), else its id.
 */
export function translationKey(item: Pick<ContentItem, "id" | "locale">): string {
  if (item.locale === undefined) return item.id;
  const suffix = `.${item.locale.toLowerCase()}`;
  return item.id.toLowerCase().endsWith(suffix) ? item.id.slice(0, -suffix.length) : item.id;
}

/** 0 exact locale, 1 same language, 2 library default, `undefined` when not eligible. */
function localeTier(item: ContentItem, locale: string, defaultLanguage: string): number | undefined {
  if (item.locale === undefined) return 2;
  const own = item.locale.toLowerCase();
  if (own === locale.toLowerCase()) return 0;
  if (languageOf(own) === languageOf(locale)) return 1;
  return languageOf(own) === defaultLanguage ? 2 : undefined;
}

const compareIds = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Ranks `items` for one customer and returns the best `limit` (see the module documentation). */
export function chooseContent(items: readonly ContentItem[], input: ContentChoiceInput): ChosenContent[] {
  const limit = Math.max(0, Math.min(CONTENT_BLOCK_MAX, Math.floor(input.limit)));
  if (limit === 0 || items.length === 0) return [];
  const defaultLanguage = languageOf(input.defaultLocale ?? "en");
  const sent = new Set((input.recentlySent ?? []).map((id) => id.toLowerCase()));
  const read = new Set((input.read ?? []).map((id) => id.toLowerCase()));
  // Of each piece, the translation in the best locale tier (then the newest).
  const best = new Map<string, { item: ContentItem; tier: number }>();
  const blocked = new Set<string>();
  for (const item of items) {
    const key = translationKey(item).toLowerCase();
    if (sent.has(item.id.toLowerCase())) blocked.add(key);
    const tier = localeTier(item, input.locale, defaultLanguage);
    if (tier === undefined) continue;
    const held = best.get(key);
    if (held === undefined || tier < held.tier || (tier === held.tier && newer(item, held.item) < 0)) {
      best.set(key, { item, tier });
    }
  }
  const ranked: ChosenContent[] = [];
  for (const [key, { item, tier }] of best) {
    if (blocked.has(key)) continue;
    const matched = [...new Set(item.tags.flatMap((tag) => normalTag(tag) ?? []))]
      .filter((tag) => input.interests.has(tag))
      .sort((a, b) => (input.interests.get(b) ?? 0) - (input.interests.get(a) ?? 0) || compareIds(a, b));
    const relevance = matched.reduce((sum, tag) => sum + (input.interests.get(tag) ?? 0), 0);
    const newness =
      item.publishedAt === undefined ? 0 : halving(input.now - item.publishedAt, NEWNESS_HALF_LIFE_DAYS);
    const wasRead = read.has(item.id.toLowerCase()) || read.has(key);
    const score =
      (relevance + NEWNESS_WEIGHT * newness) * (LOCALE_FACTORS[tier] ?? 0) * (wasRead ? READ_FACTOR : 1);
    ranked.push({ item, score: Math.round(score * 1e6) / 1e6, matched });
  }
  ranked.sort((a, b) => b.score - a.score || newer(a.item, b.item) || compareIds(a.item.id, b.item.id));
  return ranked.slice(0, limit);
}

/** Negative when `a` was published after `b` (unknown dates last). */
function newer(a: ContentItem, b: ContentItem): number {
  return (b.publishedAt ?? Number.NEGATIVE_INFINITY) - (a.publishedAt ?? Number.NEGATIVE_INFINITY) || 0;
}
