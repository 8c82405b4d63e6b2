import { z } from "zod";
import type { Scalar, Traits } from "./event-types.js";
import { emailField, nameField } from "./field-schemas.js";
import { CUSTOM_FIELDS_MAX, CUSTOM_KEY_MAX, CUSTOM_VALUE_MAX } from "./limits.js";
import { type Checked, check } from "./zod-issues.js";

/** Whether `zone` is an IANA time zone the runtime knows. */
export function isTimeZone(zone: string): boolean {
  return remember(timeZones, zone, () => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: zone });
      return zone.length <= 64;
    } catch {
      return false;
    }
  });
}

// Building an Intl formatter per event costs more than the rest of the decode; the answers never change.
const CACHE_LIMIT = 1024;
const timeZones = new Map<string, { readonly value: boolean }>();
const locales = new Map<string, { readonly value: string | undefined }>();

function remember<T>(cache: Map<string, { readonly value: T }>, key: string, compute: () => T): T {
  const cached = cache.get(key);
  if (cached !== undefined) return cached.value;
  const value = compute();
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, { value });
  return value;
}

/** The canonical form of a BCP 47 locale tag (`fr_fr` → `fr-FR`), or undefined when it is not one. */
export function canonicalLocale(tag: string): string | undefined {
  if (tag.length > 35) return undefined;
  return remember(locales, tag, () => {
    try {
      return Intl.getCanonicalLocales(tag.replace(/_/g, "-"))[0];
    } catch {
      return undefined;
    }
  });
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})/;

function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const probe = new Date(Date.UTC(y, mo - 1, d));
  return probe.getUTCFullYear() === y && probe.getUTCMonth() === mo - 1 && probe.getUTCDate() === d;
}

const timeZoneField = z
  .string({ error: "expected an IANA time zone such as Europe/Paris" })
  .trim()
  .refine(isTimeZone, {
    error: (i) => `expected an IANA time zone such as Europe/Paris (got ${JSON.stringify(i.input)})`,
  });

const localeField = z
  .string({ error: "expected a BCP 47 locale such as fr-FR" })
  .trim()
  .transform((tag, ctx) => {
    const canonical = canonicalLocale(tag);
    if (canonical === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `expected a BCP 47 locale such as fr-FR (got ${JSON.stringify(tag)})`,
      });
      return z.NEVER;
    }
    return canonical;
  });

const birthdayField = z
  .string({ error: "expected a date YYYY-MM-DD" })
  .trim()
  .refine(isCalendarDate, { error: (i) => `expected a date YYYY-MM-DD (got ${JSON.stringify(i.input)})` })
  .transform((text) => text.slice(0, 10));

const addressSchema = z.object(
  {
    city: nameField.optional(),
    country: nameField.optional(),
    state: nameField.optional(),
    region: nameField.optional(),
  },
  { error: "expected an object" },
);

/** Segment's reserved traits (camelCase) and ours (snake_case); everything else is a custom trait. */
const knownTraitsSchema = z.object({
  email: emailField.optional(),
  first_name: nameField.optional(),
  firstName: nameField.optional(),
  last_name: nameField.optional(),
  lastName: nameField.optional(),
  birthday: birthdayField.optional(),
  country: nameField.optional(),
  city: nameField.optional(),
  region: nameField.optional(),
  state: nameField.optional(),
  timezone: timeZoneField.optional(),
  locale: localeField.optional(),
  phone: nameField.optional(),
  gender: nameField.optional(),
  address: addressSchema.optional(),
});

const KNOWN_KEYS: ReadonlySet<string> = new Set(Object.keys(knownTraitsSchema.shape));

/**
 * Reads a traits object (`traits` or `context.traits`): known traits are validated (a bad email is an error);
 * other scalar traits are kept as custom traits, best effort (see {@link freeFormScalars}).
 */
export function readTraits(raw: Record<string, unknown>, prefix: readonly PropertyKey[]): Checked<Traits> {
  const known = check(knownTraitsSchema, raw, prefix);
  if (!known.ok) return known;
  const t = known.value;
  const custom = freeFormScalars(raw, KNOWN_KEYS);
  return {
    ok: true,
    value: {
      email: t.email,
      first_name: t.first_name ?? t.firstName,
      last_name: t.last_name ?? t.lastName,
      birthday: t.birthday,
      country: t.country ?? t.address?.country,
      city: t.city ?? t.address?.city,
      region: t.region ?? t.state ?? t.address?.region ?? t.address?.state,
      timezone: t.timezone,
      locale: t.locale,
      phone: t.phone,
      gender: t.gender,
      custom: Object.keys(custom).length > 0 ? custom : undefined,
    },
  };
}

/**
 * Scalar entries of a free-form object, best effort: nested values, keys over {@link CUSTOM_KEY_MAX},
 * strings over {@link CUSTOM_VALUE_MAX} characters and numbers DynamoDB cannot store exactly
 * ({@link isStorableNumber}) are dropped (unknown data never rejects an event), and at most
 * {@link CUSTOM_FIELDS_MAX} entries are kept. (An integer literal beyond 2^53 in a record arrives here as its
 * exact decimal text, see `decodeEvent`, and is kept as that text.)
 */
export function freeFormScalars(
  raw: Record<string, unknown>,
  skip?: ReadonlySet<string>,
): Record<string, Scalar> {
  const out: Record<string, Scalar> = {};
  let kept = 0;
  for (const [key, value] of Object.entries(raw)) {
    if (kept >= CUSTOM_FIELDS_MAX) break;
    if (skip?.has(key) || key.length === 0 || key.length > CUSTOM_KEY_MAX) continue;
    if (!isScalar(value) || (typeof value === "string" && value.length > CUSTOM_VALUE_MAX)) continue;
    out[key] = value === 0 ? 0 : value; // -0 is stored as 0
    kept++;
  }
  return out;
}

function isScalar(value: unknown): value is Scalar {
  return typeof value === "string" || typeof value === "boolean" || isStorableNumber(value);
}

/** Smallest non-zero magnitude a DynamoDB number can have. */
const DYNAMO_NUMBER_MIN = 1e-130;

/**
 * Whether `value` is a number DynamoDB stores exactly and the SDK marshals without complaint: an integer within
 * ±(2^53 − 1), or a finite fraction whose magnitude lies between 10^-130 and 2^53 (a double has at most 17
 * significant digits, well within DynamoDB's 38).
 */
export function isStorableNumber(value: unknown): value is number {
  if (typeof value !== "number") return false;
  if (Number.isInteger(value)) return Number.isSafeInteger(value);
  const magnitude = Math.abs(value);
  return magnitude >= DYNAMO_NUMBER_MIN && magnitude <= Number.MAX_SAFE_INTEGER;
}

/** Merges traits: `over` wins field by field; custom traits merge key by key, capped. */
export function mergeTraits(under: Traits | undefined, over: Traits | undefined): Traits | undefined {
  if (under === undefined) return over;
  if (over === undefined) return under;
  const custom = { ...under.custom, ...over.custom };
  const capped = Object.fromEntries(Object.entries(custom).slice(0, CUSTOM_FIELDS_MAX));
  return {
    email: over.email ?? under.email,
    first_name: over.first_name ?? under.first_name,
    last_name: over.last_name ?? under.last_name,
    birthday: over.birthday ?? under.birthday,
    country: over.country ?? under.country,
    city: over.city ?? under.city,
    region: over.region ?? under.region,
    timezone: over.timezone ?? under.timezone,
    locale: over.locale ?? under.locale,
    phone: over.phone ?? under.phone,
    gender: over.gender ?? under.gender,
    custom: Object.keys(capped).length > 0 ? capped : undefined,
  };
}
