import { StatisticsInputError } from "./errors.js";

/** The counts of one arm for one metric: `successes` (clicks, conversions…) out of `trials` (sends…). */
export interface Proportion {
  readonly successes: number;
  readonly trials: number;
}

/** An interval on a rate or a difference of rates, as fractions (0.021 is 2.1 points). */
export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/**
 * Checks that counts are whole, non-negative and that successes do not exceed trials.
 *
 * @throws StatisticsInputError otherwise.
 */
export function checkProportion(p: Proportion, label = "arm"): void {
  const { successes, trials } = p;
  if (!Number.isInteger(successes) || !Number.isInteger(trials) || successes < 0 || successes > trials) {
    throw new StatisticsInputError(
      `${label}: successes and trials must be whole numbers with 0 ≤ successes ≤ trials, got ${successes}/${trials}`,
    );
  }
}

/** Checks a confidence or error level strictly between 0 and 1. */
export function checkLevel(level: number, name: string): void {
  if (!(level > 0 && level < 1)) throw new StatisticsInputError(`${name} must be in (0, 1), got ${level}`);
}

/** The observed rate, 0 when there are no trials. */
export function rate(p: Proportion): number {
  return p.trials === 0 ? 0 : p.successes / p.trials;
}
