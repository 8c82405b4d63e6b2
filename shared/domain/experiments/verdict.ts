import { MSPRT_START, type MsprtState, msprt } from "./msprt.js";
import { checkLevel, type Interval, type Proportion, rate } from "./proportion.js";
import { requiredSampleSize } from "./sample-size.js";
import { twoProportionZTest } from "./z-test.js";

/** One arm's counts and its display name (`A`, `B`, `holdout`). */
export interface NamedArm extends Proportion {
  readonly name: string;
}

/** What to compare and how. */
export interface VerdictInput {
  /** The metric in words: `clicks`, `conversions`. */
  readonly metric: string;
  /** The reference arm (control or holdout). */
  readonly control: NamedArm;
  readonly treatment: NamedArm;
  /** The smallest absolute change worth detecting, as a fraction (0.01 = 1 point). */
  readonly minimumDetectableEffect: number;
  /** @default 0.95 */
  readonly confidence?: number;
  /** @default 0.8 */
  readonly power?: number;
  /** What a trial is called in the text. @default "sends" */
  readonly trialsLabel?: string;
  /**
   * Decide with the always-valid mSPRT instead of the fixed-horizon z-test: use this when the report is
   * looked at repeatedly. `tau` defaults to the minimum detectable effect; pass the previous `state` to keep
   * the decision monotone across looks.
   */
  readonly sequential?: { readonly tau?: number; readonly state?: MsprtState };
}

/** The shape of the conclusion. */
export type VerdictOutcome = "better" | "worse" | "needs-data" | "no-difference";

/** A conclusion in plain language with the figures behind it. */
export interface Verdict {
  readonly outcome: VerdictOutcome;
  /** E.g. "B beats A on clicks, +2.1 pts, 95 % CI [0.8, 3.4]". */
  readonly text: string;
  readonly test: "fixed-horizon" | "sequential";
  /** treatment rate − control rate, as a fraction. */
  readonly difference: number;
  /** Newcombe interval (fixed horizon) or the always-valid confidence sequence (sequential). */
  readonly interval: Interval;
  readonly pValue: number;
  /** Exact sends per arm still missing to reach the planned sample size; only for `needs-data`. */
  readonly moreTrialsPerArm?: number;
  /** Only for sequential verdicts: pass to the next look. */
  readonly state?: MsprtState;
}

/**
 * Compares two arms and says what it means. A significant difference (the interval excludes 0 for the fixed
 * horizon; the mSPRT rejects for sequential) gives "B beats A on clicks, +2.1 pts, 95 % CI [0.8, 3.4]" or
 * "B trails A …". Otherwise, if either arm has fewer trials than {@link requiredSampleSize} at the control's
 * observed rate and the configured MDE, "not enough data yet: about 4,200 more sends per arm needed"
 * (rounded up to two significant figures); else "no difference detected on clicks: …". The planned size is
 * the fixed-horizon one also for sequential verdicts: the mSPRT usually needs somewhat more, so there "no
 * difference detected" means "none yet at the planned size", and later looks may still reject.
 *
 * @throws StatisticsInputError on impossible counts or parameters.
 */
export function verdict(input: VerdictInput): Verdict {
  const { metric, control, treatment, minimumDetectableEffect: mde } = input;
  const confidence = input.confidence ?? 0.95;
  const power = input.power ?? 0.8;
  checkLevel(confidence, "confidence");
  const alpha = 1 - confidence;
  const level = `${formatNumber(confidence * 100)} %`;

  let decided: Pick<Verdict, "test" | "difference" | "interval" | "pValue" | "state"> & {
    significant: boolean;
  };
  if (input.sequential === undefined) {
    const z = twoProportionZTest(control, treatment, confidence);
    decided = {
      test: "fixed-horizon",
      difference: z.difference,
      interval: z.interval,
      pValue: z.pValue,
      significant: z.interval.lower > 0 || z.interval.upper < 0,
    };
  } else {
    const tau = input.sequential.tau ?? mde;
    const s = msprt(control, treatment, { tau, alpha }, input.sequential.state ?? MSPRT_START);
    decided = {
      test: "sequential",
      difference: s.difference,
      interval: s.interval,
      pValue: s.pValue,
      state: s.state,
      significant: s.reject,
    };
  }
  const { significant, ...figures } = decided;
  const ciLabel = figures.test === "sequential" ? `always-valid ${level} CI` : `${level} CI`;
  const summary = `${formatPoints(figures.difference, true)} pts, ${ciLabel} [${formatPoints(figures.interval.lower)}, ${formatPoints(figures.interval.upper)}]`;

  if (significant) {
    const better = figures.difference > 0;
    const verb = better ? "beats" : "trails";
    return {
      outcome: better ? "better" : "worse",
      text: `${treatment.name} ${verb} ${control.name} on ${metric}, ${summary}`,
      ...figures,
    };
  }
  const label = input.trialsLabel ?? "sends";
  const required = requiredSampleSize(rate(control), mde, alpha, power);
  const have = Math.min(control.trials, treatment.trials);
  if (have < required) {
    const more = required - have;
    return {
      outcome: "needs-data",
      text: `not enough data yet: about ${groupThousands(roundUpTwoFigures(more))} more ${label} per arm needed`,
      moreTrialsPerArm: more,
      ...figures,
    };
  }
  return { outcome: "no-difference", text: `no difference detected on ${metric}: ${summary}`, ...figures };
}

/** A fraction as points with one decimal: 0.021 → "2.1", −0.004 → "−0.4"; `signed` adds "+". */
function formatPoints(fraction: number, signed = false): string {
  const tenths = Math.round(fraction * 1000);
  if (tenths === 0) return "0.0";
  const text = (Math.abs(tenths) / 10).toFixed(1);
  if (tenths < 0) return `−${text}`;
  return signed ? `+${text}` : text;
}

function formatNumber(value: number): string {
  return String(Number(value.toFixed(2)));
}

/** 4,137 → 4,200; 87 → 87; never rounds down, so "about N more" is not an understatement. */
function roundUpTwoFigures(n: number): number {
  if (n < 100) return n;
  const step = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.ceil(n / step) * step;
}

function groupThousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
