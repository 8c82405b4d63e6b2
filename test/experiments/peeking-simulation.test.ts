import { describe, expect, it } from "vitest";
import type { MsprtState, Random } from "#shared/domain/experiments/index.js";
import { MSPRT_START, msprt, seededRandom, twoProportionZTest } from "#shared/domain/experiments/index.js";

const EXPERIMENTS = 2000;
const DAYS = 30;
const USERS_PER_ARM_PER_DAY = 200;
const ALPHA = 0.05;
const TAU = 0.01;
/** Three binomial standard errors of a 5 % rate over the simulated experiments. */
const MARGIN = 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / EXPERIMENTS);

function successes(n: number, p: number, random: Random): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (random() < p) k++;
  return k;
}

interface Outcome {
  naive: boolean;
  sequential: boolean;
  /** The always-valid interval held the true difference at every look. */
  covered: boolean;
}

/** One experiment looked at daily: the naive analyst stops at the first p < α, the mSPRT at rejection. */
function experiment(pA: number, pB: number, random: Random): Outcome {
  const a = { successes: 0, trials: 0 };
  const b = { successes: 0, trials: 0 };
  let state: MsprtState = MSPRT_START;
  let naive = false;
  let covered = true;
  for (let day = 0; day < DAYS; day++) {
    a.successes += successes(USERS_PER_ARM_PER_DAY, pA, random);
    b.successes += successes(USERS_PER_ARM_PER_DAY, pB, random);
    a.trials += USERS_PER_ARM_PER_DAY;
    b.trials += USERS_PER_ARM_PER_DAY;
    if (twoProportionZTest(a, b).pValue < ALPHA) naive = true;
    const look = msprt(a, b, { tau: TAU, alpha: ALPHA }, state);
    state = look.state;
    const truth = pB - pA;
    if (truth < look.interval.lower || truth > look.interval.upper) covered = false;
  }
  return { naive, sequential: state.pValue <= ALPHA, covered };
}

function simulate(pA: number, pB: number, seed: number) {
  const random = seededRandom(seed);
  let naive = 0;
  let sequential = 0;
  let covered = 0;
  for (let i = 0; i < EXPERIMENTS; i++) {
    const o = experiment(pA, pB, random);
    if (o.naive) naive++;
    if (o.sequential) sequential++;
    if (o.covered) covered++;
  }
  return {
    naive: naive / EXPERIMENTS,
    sequential: sequential / EXPERIMENTS,
    coverage: covered / EXPERIMENTS,
  };
}

describe("peeking daily for 30 days (2,000 simulated experiments, 200 users per arm per day)", () => {
  it("under no difference (both 5 %): the naive z-test's false positives inflate, the mSPRT's do not", () => {
    const rates = simulate(0.05, 0.05, 20_261_123);
    // Stopping at the first p < 0.05 over 30 looks: far above the nominal 5 % (theory: about 20–30 %).
    expect(rates.naive).toBeGreaterThan(0.15);
    expect(rates.sequential).toBeLessThanOrEqual(ALPHA + MARGIN);
    // The confidence sequence holds 0 at every look in at least 95 % of experiments.
    expect(rates.coverage).toBeGreaterThanOrEqual(1 - ALPHA - MARGIN);
  });

  it("under a real difference (5 % → 7 %) the mSPRT still finds it in most experiments", () => {
    const rates = simulate(0.05, 0.07, 7);
    expect(rates.sequential).toBeGreaterThan(0.85);
    expect(rates.coverage).toBeGreaterThanOrEqual(1 - ALPHA - MARGIN);
  });
});
