import type { CountSeries } from "./profile.js";

/** The counts of a series, newest first (an absent series is empty). */
export function decodeSeries(series: CountSeries | undefined): number[] {
  if (series === undefined || series === "") return [];
  const counts: number[] = [];
  for (const token of series.split(",")) {
    const value = Number(token);
    if (value < 0) for (let i = 0; i < -value; i++) counts.push(0);
    else counts.push(value);
  }
  return counts;
}

/** Encodes counts (newest first); undefined when every count is zero, so the key can be dropped. */
export function encodeSeries(counts: readonly number[]): CountSeries | undefined {
  let end = counts.length;
  while (end > 0 && !counts[end - 1]) end--;
  if (end === 0) return undefined;
  const tokens: string[] = [];
  let zeros = 0;
  for (const count of counts.slice(0, end)) {
    if (count === 0) {
      zeros++;
      continue;
    }
    if (zeros > 0) tokens.push(String(-zeros));
    zeros = 0;
    tokens.push(String(count));
  }
  return tokens.join(",");
}

/** Ages a series by `by` buckets (newer buckets start at zero) and keeps at most `length` buckets. */
export function shiftSeries(
  series: CountSeries | undefined,
  by: number,
  length: number,
): CountSeries | undefined {
  if (series === undefined || by <= 0) return series;
  if (by >= length) return undefined;
  const counts = decodeSeries(series);
  return encodeSeries([...new Array<number>(by).fill(0), ...counts].slice(0, length));
}

/** Adds `amount` to the bucket at `offset`; offsets outside `[0, length)` leave the series as it is. */
export function addToSeries(
  series: CountSeries | undefined,
  offset: number,
  length: number,
  amount = 1,
): CountSeries | undefined {
  if (offset < 0 || offset >= length) return series;
  const counts = decodeSeries(series);
  while (counts.length <= offset) counts.push(0);
  counts[offset] = (counts[offset] ?? 0) + amount;
  return encodeSeries(counts);
}

/** Sum of the buckets from offset `from` to offset `to`, both included. */
export function sumSeries(series: CountSeries | undefined, from: number, to: number): number {
  let sum = 0;
  decodeSeries(series).forEach((count, offset) => {
    if (offset >= from && offset <= to) sum += count;
  });
  return sum;
}

/** Two series of the same anchor and length added bucket by bucket (an absent series is empty). */
export function addSeries(a: CountSeries | undefined, b: CountSeries | undefined): CountSeries | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const left = decodeSeries(a);
  const right = decodeSeries(b);
  const length = Math.max(left.length, right.length);
  return encodeSeries(Array.from({ length }, (_, i) => (left[i] ?? 0) + (right[i] ?? 0)));
}

/** Offset of the newest bucket with a count, or undefined when the series is empty. */
export function newestOffset(series: CountSeries | undefined): number | undefined {
  const offset = decodeSeries(series).findIndex((count) => count > 0);
  return offset < 0 ? undefined : offset;
}
