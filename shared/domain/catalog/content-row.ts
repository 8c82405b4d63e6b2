import { z } from "zod";
import { ID_MAX, NAME_MAX, URL_MAX } from "../events/limits.js";
import { normalTag } from "../profile/content-views.js";
import type { ContentItem } from "./content-item.js";

/** Most tags an item keeps (more is an error: the library's author should choose). */
export const CONTENT_TAGS_MAX = 20;
/** Longest summary. */
export const CONTENT_SUMMARY_MAX = 1000;

const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/;
const HTTP_URL = /^https?:\/\/[^\s]+$/;

const text = (max: number, what: string) =>
  z
    .string({ error: `expected ${what}` })
    .trim()
    .min(1, { error: `expected a non-empty ${what}` })
    .max(max, { error: `expected ${what} of at most ${max} characters` });

const url = z
  .string({ error: "expected a URL" })
  .trim()
  .max(URL_MAX, { error: `expected a URL of at most ${URL_MAX} characters` })
  .regex(HTTP_URL, { error: "expected an http(s) URL" });

/** Tags: a list, or text separated by `|` or `,` (CSV); each lower-cased, at most 40 characters. */
const tags = z.preprocess(
  (value) => (typeof value === "string" ? value.split(/[|,]/).filter((tag) => tag.trim() !== "") : value),
  z
    .array(z.string({ error: "expected text tags" }), { error: "expected a list of tags" })
    .min(1, { error: "expected at least one tag" })
    .max(CONTENT_TAGS_MAX, { error: `expected at most ${CONTENT_TAGS_MAX} tags` })
    .transform((list, ctx) => {
      const normal = list.map((tag) => normalTag(tag));
      const bad = list.find((_, index) => normal[index] === undefined);
      if (bad !== undefined) {
        ctx.addIssue({
          code: "custom",
          message: `tag "${bad}" is empty, longer than 40 characters or reserved`,
        });
        return z.NEVER;
      }
      return [...new Set(normal.flatMap((tag) => tag ?? []))];
    }),
);

/** `publishedAt`: ISO-8601 text (`2026-11-02` or with a time) or epoch milliseconds. */
const publishedAt = z.preprocess(
  (value) => {
    if (typeof value === "number") return value;
    if (typeof value !== "string") return value;
    const trimmed = value.trim();
    if (/^\d+$/.test(trimmed)) return Number(trimmed);
    return /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  },
  z
    .number({ error: "expected an ISO-8601 date or epoch milliseconds" })
    .finite({ error: "expected an ISO-8601 date or epoch milliseconds" })
    .int({ error: "expected whole epoch milliseconds" })
    .min(Date.UTC(1990, 0, 1), { error: "expected a date after 1990" }),
);

/** Empty CSV cells are absent values. */
const blankToUndefined = (value: unknown): unknown =>
  typeof value === "string" && value.trim() === "" ? undefined : value;

/**
 * One row of a content library file (JSON, JSON Lines or CSV), checked: `id`, `kind` (`article`, `tip`,
 * `guide`), `title`, `summary`, `url`, `tags` (a list, or `a|b` in CSV) and optional `image_url`, `locale`
 * (BCP 47) and `published_at`. camelCase names (`imageUrl`, `publishedAt`) are accepted too.
 */
export const contentRowSchema = z
  .object({
    id: text(ID_MAX, "an id"),
    kind: z.enum(["article", "tip", "guide"], { error: 'expected "article", "tip" or "guide"' }),
    title: text(NAME_MAX, "a title"),
    summary: text(CONTENT_SUMMARY_MAX, "a summary"),
    url,
    tags,
    image_url: z.preprocess(blankToUndefined, url.optional()),
    imageUrl: z.preprocess(blankToUndefined, url.optional()),
    locale: z.preprocess(
      blankToUndefined,
      z.string().trim().regex(LOCALE, { error: "expected a BCP 47 locale such as fr or fr-CA" }).optional(),
    ),
    published_at: z.preprocess(blankToUndefined, publishedAt.optional()),
    publishedAt: z.preprocess(blankToUndefined, publishedAt.optional()),
  })
  .transform((row): ContentItem => {
    const imageUrl = row.image_url ?? row.imageUrl;
    const published = row.published_at ?? row.publishedAt;
    return {
      id: row.id,
      kind: row.kind,
      title: row.title,
      summary: row.summary,
      url: row.url,
      tags: row.tags,
      ...(imageUrl === undefined ? {} : { imageUrl }),
      ...(row.locale === undefined ? {} : { locale: row.locale }),
      ...(published === undefined ? {} : { publishedAt: published }),
    };
  });

/** A checked row, or its problems as `field: message`. */
export type ContentRowResult =
  | { readonly ok: true; readonly item: ContentItem }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Checks one row of a content file. */
export function readContentRow(row: unknown): ContentRowResult {
  const result = contentRowSchema.safeParse(row);
  if (result.success) return { ok: true, item: result.data };
  return {
    ok: false,
    problems: result.error.issues.map((issue) =>
      issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`,
    ),
  };
}
