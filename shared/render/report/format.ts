/** Formats a proportion as a percentage with one decimal ("4.8 %"). */
export function formatPercent(rate: number): string {
  return `${(Math.round(rate * 1000) / 10).toFixed(1)} %`;
}

/** Formats a relative lift, signed ("+20.0 %"). */
export function formatRelative(lift: number): string {
  const percent = Math.round(lift * 1000) / 10;
  return `${percent > 0 ? "+" : percent < 0 ? "−" : "±"}${Math.abs(percent).toFixed(1)} %`;
}

/**
 * Formats an amount in minor units (cents) in its currency, using the currency's own number of decimals.
 * An unknown currency code falls back to two decimals and the code.
 */
export function formatMoney(minor: number, currency: string | undefined): string {
  if (currency !== undefined) {
    try {
      const format = new Intl.NumberFormat("en-US", { style: "currency", currency });
      const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
      return format.format(minor / 10 ** digits);
    } catch {
      // Not an ISO 4217 code: shown as it is below.
    }
  }
  return `${(minor / 100).toFixed(2)}${currency === undefined ? "" : ` ${currency}`}`;
}
