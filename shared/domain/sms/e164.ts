/**
 * Phone numbers in E.164 (`+` then 8 to 15 digits, no leading zero in the country code), the form End User
 * Messaging SMS takes. Separators people write (spaces, dots, dashes, brackets) are removed and an international
 * `00` prefix becomes `+`; a number without a country code is refused, never guessed.
 */
const E164 = /^\+[1-9]\d{7,14}$/;

/** The E.164 form of `raw`, or undefined when it is not an international number. */
export function toE164(raw: string): string | undefined {
  const compact = raw.trim().replace(/[\s.\-()/]/g, "");
  const plus = compact.startsWith("00") ? `+${compact.slice(2)}` : compact;
  return E164.test(plus) ? plus : undefined;
}

/** The number with all but its last 4 digits hidden, for logs and `explain` (`+33612345678` → `+*******5678`). */
export function maskPhone(e164: string): string {
  return `+${"*".repeat(Math.max(0, e164.length - 5))}${e164.slice(-4)}`;
}
