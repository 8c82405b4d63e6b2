import { StatisticsInputError } from "./errors.js";
import { checkProportion, type Proportion } from "./proportion.js";
import { betaDraw, type Random } from "./random.js";

/**
 * Thompson-sampling traffic weights: each arm's share is the probability that it has the highest rate under
 * its Beta(1 + successes, 1 + failures) posterior (uniform prior), estimated from `draws` joint draws. Arms
 * that look better get more traffic while uncertain arms keep some. Shares sum to 1. Ties (only possible with
 * identical draws) go to the first arm.
 *
 * Traffic shifted this way is adaptive: the observed rates of arms that lost traffic early are biased low,
 * so read the fixed-horizon and sequential statistics of a bandit-allocated experiment with that in mind.
 *
 * @param random a seeded generator ({@link seededRandom}) so the weights are reproducible.
 * @throws StatisticsInputError with no arms, impossible counts or a non-positive number of draws.
 */
export function thompsonWeights(arms: readonly Proportion[], draws: number, random: Random): number[] {
  if (arms.length === 0) throw new StatisticsInputError("thompsonWeights needs at least one arm");
  if (!(Number.isInteger(draws) && draws > 0)) {
    throw new StatisticsInputError(`draws must be a positive whole number, got ${draws}`);
  }
  arms.forEach((arm, i) => {
    checkProportion(arm, `arm ${i}`);
  });
  const wins = new Array<number>(arms.length).fill(0);
  for (let d = 0; d < draws; d++) {
    let best = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    arms.forEach((arm, i) => {
      const value = betaDraw(1 + arm.successes, 1 + arm.trials - arm.successes, random);
      if (value > bestValue) {
        bestValue = value;
        best = i;
      }
    });
    wins[best] = (wins[best] ?? 0) + 1;
  }
  return wins.map((w) => w / draws);
}
