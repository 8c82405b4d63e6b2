import { formatPath, type ValidationIssue } from "./event-validation-error.js";
import { MONEY_MINOR_MAX } from "./limits.js";

/** Currency used when an event names none. */
export const DEFAULT_CURRENCY = "USD";

const KNOWN_CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf("currency"));
const exponents = new Map<string, number>();

/** Whether `code` is an ISO 4217 currency code the runtime knows (upper case). */
export function isKnownCurrency(code: string): boolean {
  return KNOWN_CURRENCIES.has(code);
}

/** Minor-unit exponent of an ISO 4217 currency: JPY 0, USD 2, KWD 3. */
export function currencyExponent(currency: string): number {
  let exponent = exponents.get(currency);
  if (exponent === undefined) {
    exponent =
      new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ??
      2;
    exponents.set(currency, exponent);
  }
  return exponent;
}

/**
 * A major-unit amount (e.g. 19.99) in integer minor units (1999 for USD, 20 for JPY), rounded half away from
 * zero. Shifting the decimal point in the number's text avoids binary artefacts (1.005 → 101, not 100).
 */
export function toMinorUnits(amount: number, currency: string): number {
  const exponent = currencyExponent(currency);
  const text = String(Math.abs(amount));
  const shifted = text.includes("e") ? Math.abs(amount) * 10 ** exponent : Number(`${text}e${exponent}`);
  const minor = Math.round(shifted);
  return amount < 0 ? -minor : minor;
}

/** One amount an event carries, in minor units, and where it came from (under `properties`). */
export interface MinorAmount {
  /** Path under `properties`, e.g. `["total"]` or `["products"]` for the sum of the lines. */
  readonly path: readonly PropertyKey[];
  /** What the amount is, for the message: `total`, `Σ price × quantity`, … */
  readonly what: string;
  /** The amount in minor units; undefined when the event does not carry it. */
  readonly minor: number | undefined;
}

/**
 * An issue (rule `too_big`) for each amount over {@link MONEY_MINOR_MAX} minor units of `currency`: such an
 * event is refused, so every amount the fold adds up is an exact integer.
 */
export function moneyIssues(currency: string, amounts: readonly MinorAmount[]): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const { path, what, minor } of amounts) {
    if (minor === undefined || minor <= MONEY_MINOR_MAX) continue;
    const major = MONEY_MINOR_MAX / 10 ** currencyExponent(currency);
    issues.push({
      path: formatPath(["properties", ...path]),
      rule: "too_big",
      message:
        `expected ${what} of at most ${MONEY_MINOR_MAX} minor units (${major} ${currency}) ` +
        `(got ${minor} minor units)`,
    });
  }
  return issues;
}
