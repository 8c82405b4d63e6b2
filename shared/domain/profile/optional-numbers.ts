/** The sum of two optional counters; undefined when both are absent. */
export function sum(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
}

/** `choose` (`Math.min`, `Math.max`) of two optional numbers; the one present when only one is. */
export function pick(
  choose: (a: number, b: number) => number,
  a: number | undefined,
  b: number | undefined,
): number | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return choose(a, b);
}
