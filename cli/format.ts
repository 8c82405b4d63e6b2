/** Small text helpers for the CLI's output. */

const numberFormat = new Intl.NumberFormat("en-US");

/** `12,345`. */
export function count(n: number): string {
  return numberFormat.format(Math.round(n));
}

/** A rate per second, `1,234/s`. */
export function rate(n: number, seconds: number): string {
  return `${count(seconds > 0 ? n / seconds : 0)}/s`;
}

/** Milliseconds as a short duration: `850 ms`, `4.2 s`. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Text with control characters escaped (`\x07`) and cut to `max` characters. */
export function preview(text: string, max = 80): string {
  let safe = "";
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    safe += control ? `\\x${code.toString(16).padStart(2, "0")}` : ch;
    if (safe.length > max) break;
  }
  return safe.length > max ? `${safe.slice(0, max - 1)}…` : safe;
}
