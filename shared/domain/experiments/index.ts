/**
 * Experiment statistics: Wilson intervals, the two-proportion z-test with Newcombe's interval, sample sizes,
 * the always-valid mSPRT for teams that look every day, plain-language verdicts and Thompson-sampling
 * weights. Pure: no clock, no I/O; randomness only from a seeded generator passed in.
 */
export { StatisticsInputError } from "./errors.js";
export {
  type Look,
  MSPRT_START,
  type MsprtOptions,
  type MsprtResult,
  type MsprtState,
  msprt,
  msprtPath,
} from "./msprt.js";
export { erf, erfc, normalCdf, normalPdf, normalQuantile } from "./normal.js";
export { checkProportion, type Interval, type Proportion, rate } from "./proportion.js";
export { betaDraw, gammaDraw, normalDraw, type Random, seededRandom } from "./random.js";
export { requiredSampleSize } from "./sample-size.js";
export { thompsonWeights } from "./thompson.js";
export { type NamedArm, type Verdict, type VerdictInput, type VerdictOutcome, verdict } from "./verdict.js";
export { wilsonInterval } from "./wilson.js";
export { criticalValue, newcombeInterval, twoProportionZTest, type ZTestResult } from "./z-test.js";
