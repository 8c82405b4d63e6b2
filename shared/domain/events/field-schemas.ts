import { z } from "zod";
import { CONSENT_PURPOSES } from "./event-types.js";
import { AMOUNT_MAX, ID_MAX, NAME_MAX, QUANTITY_MAX, URL_MAX } from "./limits.js";
import { isKnownCurrency } from "./money.js";

const NUMERIC_TEXT = /^\s*-?\d+(\.\d+)?\s*$/;
/**
 * An email address: one `@`, no spaces, and none of the characters that make markup, quoted local parts or
 * address lists (`< > " ( ) \\ \` , ; :`); the domain is dotted and also refuses `'` and `/`. An apostrophe
 * stays allowed in the local part (`o'brien@example.com` is a real address, and zod's check allows it too);
 * international (non-ASCII) letters are kept.
 */
const EMAIL = /^[^\s@<>"()\\`,;:]+@[^\s@<>"'()\\`,;:/]+\.[^\s@<>"'()\\`,;:/]+$/;

/** Safe integers are accepted where text is expected (ids sent as numbers) and become text. */
const integerToText = (value: unknown): unknown =>
  typeof value === "number" && Number.isSafeInteger(value) ? String(value) : value;

/** Decimal text (`"19.99"`) is accepted where a number is expected. */
const textToNumber = (value: unknown): unknown =>
  typeof value === "string" && NUMERIC_TEXT.test(value) ? Number(value) : value;

/** Trimmed, non-empty text of at most `max` characters; longer is an error, never truncated. */
function boundedText(max: number, what: string) {
  return z.preprocess(
    integerToText,
    z
      .string({ error: `expected ${what}` })
      .trim()
      .min(1, { error: `expected a non-empty ${what.replace(/^an? /, "")}` })
      .max(max, { error: `expected ${what} of at most ${max} characters` }),
  );
}

/** An identifier: ≤ 256 characters. */
export const idField = boundedText(ID_MAX, "an id");
/** A name, category, title or other label: ≤ 512 characters. */
export const nameField = boundedText(NAME_MAX, "a string");
/** A URL or path: ≤ 2048 characters. */
export const urlField = boundedText(URL_MAX, "a URL");

const NON_NEGATIVE = "expected a number ≥ 0";
/** A money amount in major units (≥ 0); converted to minor units once the currency is known. */
export const amountField = z.preprocess(
  textToNumber,
  z
    .number({ error: NON_NEGATIVE })
    .min(0, { error: NON_NEGATIVE })
    .max(AMOUNT_MAX, { error: `expected a number ≤ ${AMOUNT_MAX}` }),
);

const POSITIVE_INTEGER = "expected an integer ≥ 1";
/** A quantity: integer ≥ 1. */
export const quantityField = z.preprocess(
  textToNumber,
  z
    .number({ error: POSITIVE_INTEGER })
    .int({ error: POSITIVE_INTEGER })
    .min(1, { error: POSITIVE_INTEGER })
    .max(QUANTITY_MAX, { error: `expected an integer ≤ ${QUANTITY_MAX}` }),
);

const CURRENCY = "expected an ISO-4217 currency code such as USD";
/** An ISO 4217 currency code, upper-cased. */
export const currencyField = z
  .string({ error: CURRENCY })
  .trim()
  .toUpperCase()
  .refine(isKnownCurrency, { error: (issue) => `${CURRENCY} (got ${JSON.stringify(issue.input)})` });

/** An email address, trimmed and lower-cased. */
export const emailField = z
  .string({ error: "expected an email address" })
  .trim()
  .toLowerCase()
  .max(ID_MAX, { error: `expected an email address of at most ${ID_MAX} characters` })
  .regex(EMAIL, { error: "expected an email address" });

/** `true` or `false`. */
export const booleanField = z.boolean({ error: "expected true or false" });

/** A consent purpose. */
export const purposeField = z.enum(CONSENT_PURPOSES, {
  error: `expected one of ${CONSENT_PURPOSES.map((p) => `"${p}"`).join(", ")}`,
});

/** A JSON object (its contents checked elsewhere). */
export const objectField = z.record(z.string(), z.unknown(), { error: "expected an object" });
