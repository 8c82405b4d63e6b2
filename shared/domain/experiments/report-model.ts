import { TailorError } from "#shared/errors.js";
import {
  type Interval,
  type NamedArm,
  type Proportion,
  requiredSampleSize,
  type VerdictOutcome,
  verdict,
  wilsonInterval,
} from "./index.js";

/** Counters of one arm (a variant or the holdout), optionally within one segment. */
export interface ArmTotals {
  /** `"a"`, `"b"`, … or `"holdout"`. */
  readonly variant: string;
  readonly segment?: string;
  /** For the holdout: the customers held out (no email metrics, only conversions and revenue). */
  readonly sent: number;
  readonly delivered: number;
  readonly opened: number;
  readonly clicked: number;
  readonly converted: number;
  /** Attributed revenue in the currency's minor unit (cents). */
  readonly revenueMinor: number;
  readonly currency: string;
  readonly bounced: number;
  readonly complained: number;
}

/** Everything counted for one campaign. */
export interface CampaignTotals {
  readonly campaignId: string;
  readonly name: string;
  readonly arms: readonly ArmTotals[];
}

/** How the report judges differences. */
export interface ReportOptions {
  /** Confidence of intervals and tests, e.g. 0.95. */
  readonly confidence: number;
  /**
   * The smallest lift worth detecting, relative to the baseline rate (0.1 = +10 % of the control's rate).
   * It sets the fixed-horizon sample size and the sequential test's mixing scale.
   */
  readonly minimumDetectableEffect: number;
  /** @default "a" — the variant every other variant is compared with. */
  readonly controlVariant?: string;
  /** @default 0.8 — power of the fixed-horizon sample size. */
  readonly power?: number;
}

/** The holdout arm's variant name. */
export const HOLDOUT = "holdout";

/** A rate the report compares. Every rate is per email sent (per customer for the holdout): the unit randomised. */
export type Metric = "opens" | "clicks" | "conversions";

/** All metrics, in display order. */
export const METRICS: readonly Metric[] = ["opens", "clicks", "conversions"];

/** One rate of one arm with its Wilson interval. */
export interface RateView {
  readonly successes: number;
  readonly trials: number;
  readonly rate: number;
  readonly interval: Interval;
}

/** One arm as the report shows it. */
export interface ArmView {
  readonly variant: string;
  readonly label: string;
  readonly role: "control" | "variant" | "holdout";
  readonly sent: number;
  readonly delivered: number;
  readonly bounced: number;
  readonly complained: number;
  /** Absent for the holdout, which gets no email. */
  readonly delivery?: RateView;
  readonly opens?: RateView;
  readonly clicks?: RateView;
  readonly conversions: RateView;
  /** Revenue per recipient in minor units; `undefined` when nothing was sent. */
  readonly revenuePerRecipientMinor?: number;
}

/**
 * A conclusion in plain language. `fixed`: the two-proportion z-test with Newcombe's interval, for a look
 * planned in advance; `sequential`: the always-valid mSPRT, which may be read every day.
 */
export interface VerdictView {
  /** `no-data` when no arm has a single success, so no test can be sized. */
  readonly outcome: VerdictOutcome | "no-data";
  /** E.g. "B beats A on clicks, +0.8 pts, 95 % CI [0.2, 1.4]." */
  readonly sentence: string;
  readonly interval: Interval;
  readonly pValue: number;
  /** Sends (customers, against the holdout) per arm still missing to reach the planned sample size. */
  readonly moreTrialsPerArm?: number;
}

/** One arm against a baseline (the control or the holdout) on one metric. */
export interface Comparison {
  readonly metric: Metric;
  readonly treatment: string;
  readonly baseline: string;
  readonly against: "control" | "holdout";
  /** Absolute difference of rates (0.008 = +0.8 points). */
  readonly difference: number;
  readonly interval: Interval;
  /** Relative lift over the baseline's rate; `undefined` when the baseline rate is 0. */
  readonly relativeLift?: number;
  readonly pValue: number;
  /** Planned sends per arm at the baseline's rate and the MDE; `undefined` when no success was counted yet. */
  readonly requiredPerArm?: number;
  readonly fixed: VerdictView;
  readonly sequential: VerdictView;
}

/** Revenue per recipient of an arm against a baseline: a point estimate (totals carry no variance). */
export interface RevenueLift {
  readonly treatment: string;
  readonly baseline: string;
  readonly against: "control" | "holdout";
  readonly differenceMinor: number;
  readonly relativeLift?: number;
}

/** The whole population (`segment` undefined) or one segment. */
export interface SectionView {
  readonly segment?: string;
  readonly arms: readonly ArmView[];
  readonly comparisons: readonly Comparison[];
  readonly revenue: readonly RevenueLift[];
  readonly notes: readonly string[];
}

/** The report of one campaign. */
export interface CampaignReport {
  readonly campaignId: string;
  readonly name: string;
  readonly currency?: string;
  readonly overall: SectionView;
  readonly segments: readonly SectionView[];
}

/** The model the HTML report is drawn from. */
export interface ExperimentReport {
  readonly confidence: number;
  readonly minimumDetectableEffect: number;
  readonly power: number;
  readonly controlVariant: string;
  readonly campaigns: readonly CampaignReport[];
}

/** The totals or options cannot make a report (mixed currencies, a confidence outside (0, 1), …). */
export class ReportInputError extends TailorError {
  constructor(message: string) {
    super(message, { retryable: false });
  }
}

type Counts = Omit<ArmTotals, "segment" | "currency">;

const ZERO: Counts = {
  variant: "",
  sent: 0,
  delivered: 0,
  opened: 0,
  clicked: 0,
  converted: 0,
  revenueMinor: 0,
  bounced: 0,
  complained: 0,
};

function sum(a: Counts, b: Counts): Counts {
  return {
    variant: b.variant,
    sent: a.sent + b.sent,
    delivered: a.delivered + b.delivered,
    opened: a.opened + b.opened,
    clicked: a.clicked + b.clicked,
    converted: a.converted + b.converted,
    revenueMinor: a.revenueMinor + b.revenueMinor,
    bounced: a.bounced + b.bounced,
    complained: a.complained + b.complained,
  };
}

/** Sums arms by variant, holdout last, variants in name order. */
function byVariant(arms: readonly ArmTotals[]): Counts[] {
  const merged = new Map<string, Counts>();
  for (const arm of arms) merged.set(arm.variant, sum(merged.get(arm.variant) ?? ZERO, arm));
  return [...merged.values()].sort((x, y) =>
    x.variant === HOLDOUT ? 1 : y.variant === HOLDOUT ? -1 : x.variant.localeCompare(y.variant),
  );
}

const labelOf = (variant: string): string => (variant === HOLDOUT ? "Holdout" : variant.toUpperCase());

const successesOf = (counts: Counts, metric: Metric): number =>
  metric === "opens" ? counts.opened : metric === "clicks" ? counts.clicked : counts.converted;

function proportion(counts: Counts, metric: Metric): Proportion {
  // Conversions count orders, so a small arm can have more than it has recipients: cap at one per recipient.
  return { successes: Math.min(successesOf(counts, metric), counts.sent), trials: counts.sent };
}

/** Formats an integer with thousands separators, independent of the machine's locale. */
export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** Formats a difference of proportions in percentage points, signed, one decimal. */
export function formatPoints(difference: number): string {
  const points = Math.round(difference * 1000) / 10;
  return `${points > 0 ? "+" : points < 0 ? "−" : "±"}${Math.abs(points).toFixed(1)}`;
}

interface Judge {
  readonly confidence: number;
  readonly mde: number;
  readonly power: number;
}

function rateView(judge: Judge, p: Proportion): RateView {
  return {
    successes: p.successes,
    trials: p.trials,
    rate: p.trials > 0 ? p.successes / p.trials : 0,
    interval: wilsonInterval(p.successes, p.trials, judge.confidence),
  };
}

function armView(judge: Judge, counts: Counts, control: string): ArmView {
  const conversions = rateView(judge, proportion(counts, "conversions"));
  const base = {
    variant: counts.variant,
    label: labelOf(counts.variant),
    sent: counts.sent,
    delivered: counts.delivered,
    bounced: counts.bounced,
    complained: counts.complained,
    conversions,
    ...(counts.sent > 0 ? { revenuePerRecipientMinor: counts.revenueMinor / counts.sent } : {}),
  };
  if (counts.variant === HOLDOUT) return { ...base, role: "holdout" };
  return {
    ...base,
    role: counts.variant === control ? "control" : "variant",
    delivery: rateView(judge, { successes: Math.min(counts.delivered, counts.sent), trials: counts.sent }),
    opens: rateView(judge, proportion(counts, "opens")),
    clicks: rateView(judge, proportion(counts, "clicks")),
  };
}

/** A p-value for people: three decimals, "< 0.001" when tiny. */
export function formatP(p: number): string {
  return p < 0.001 ? "< 0.001" : p.toFixed(3);
}

const sentence = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;

function compare(
  judge: Judge,
  metric: Metric,
  baseline: Counts,
  treatment: Counts,
  against: "control" | "holdout",
): Comparison {
  const { confidence, mde, power } = judge;
  const b = proportion(baseline, metric);
  const t = proportion(treatment, metric);
  const baseRate = b.trials > 0 ? b.successes / b.trials : 0;
  const pooledRate = (b.successes + t.successes) / Math.max(1, b.trials + t.trials);
  // A relative MDE needs a rate to scale: the control's, or the pooled one while the control has none.
  const effect = Math.min(0.99, (baseRate > 0 ? baseRate : pooledRate) * mde);
  const control: NamedArm = { ...b, name: against === "holdout" ? "the holdout" : labelOf(baseline.variant) };
  const arm: NamedArm = { ...t, name: labelOf(treatment.variant) };
  const relativeLift =
    baseRate > 0 ? { relativeLift: (t.trials > 0 ? t.successes / t.trials : 0) / baseRate - 1 } : {};
  const common = {
    metric,
    treatment: treatment.variant,
    baseline: baseline.variant,
    against,
    ...relativeLift,
  };

  if (effect === 0) {
    const none: VerdictView = {
      outcome: "no-data",
      sentence: `Not enough data yet: no ${metric} counted in either arm.`,
      interval: { lower: -1, upper: 1 },
      pValue: 1,
    };
    return { ...common, difference: 0, interval: none.interval, pValue: 1, fixed: none, sequential: none };
  }
  const input = {
    metric,
    control,
    treatment: arm,
    minimumDetectableEffect: effect,
    confidence,
    power,
    trialsLabel: against === "holdout" ? "customers" : "sends",
  };
  const view = (v: ReturnType<typeof verdict>): VerdictView => ({
    outcome: v.outcome,
    sentence: sentence(v.text),
    interval: v.interval,
    pValue: v.pValue,
    ...(v.moreTrialsPerArm === undefined ? {} : { moreTrialsPerArm: v.moreTrialsPerArm }),
  });
  const fixed = verdict(input);
  // One look from totals: the monotone state across looks needs the history of earlier reports.
  const sequential = verdict({ ...input, sequential: { tau: effect } });
  // Until it rejects, the sequential test has not decided anything, whatever the fixed-horizon size says.
  const undecided: VerdictView = {
    ...view(sequential),
    outcome: "needs-data",
    sentence: `No decision yet on ${metric} (always-valid p = ${formatP(sequential.pValue)}); safe to keep checking.`,
  };
  return {
    ...common,
    difference: fixed.difference,
    interval: fixed.interval,
    pValue: fixed.pValue,
    requiredPerArm: requiredSampleSize(baseRate, effect, 1 - confidence, power),
    fixed: view(fixed),
    sequential:
      sequential.outcome === "better" || sequential.outcome === "worse" ? view(sequential) : undecided,
  };
}

function revenueLift(baseline: Counts, treatment: Counts, against: "control" | "holdout"): RevenueLift {
  const base = baseline.sent > 0 ? baseline.revenueMinor / baseline.sent : 0;
  const mine = treatment.sent > 0 ? treatment.revenueMinor / treatment.sent : 0;
  return {
    treatment: treatment.variant,
    baseline: baseline.variant,
    against,
    differenceMinor: mine - base,
    ...(base > 0 ? { relativeLift: (mine - base) / base } : {}),
  };
}

function section(judge: Judge, arms: readonly ArmTotals[], control: string, segment?: string): SectionView {
  const counts = byVariant(arms);
  const controlCounts = counts.find((c) => c.variant === control);
  const holdout = counts.find((c) => c.variant === HOLDOUT);
  const mailed = counts.filter((c) => c.variant !== HOLDOUT);
  const comparisons: Comparison[] = [];
  const revenue: RevenueLift[] = [];
  const notes: string[] = [];
  if (controlCounts === undefined) notes.push(`No control arm "${control}": variants are not compared.`);
  else
    for (const arm of mailed.filter((c) => c.variant !== control)) {
      for (const metric of METRICS) comparisons.push(compare(judge, metric, controlCounts, arm, "control"));
      revenue.push(revenueLift(controlCounts, arm, "control"));
    }
  if (holdout !== undefined)
    for (const arm of mailed) {
      comparisons.push(compare(judge, "conversions", holdout, arm, "holdout"));
      revenue.push(revenueLift(holdout, arm, "holdout"));
    }
  const capped = counts.filter((c) => c.converted > c.sent).map((c) => labelOf(c.variant));
  if (capped.length > 0)
    notes.push(
      `More orders than recipients in ${capped.join(", ")}: conversions are capped at one per recipient.`,
    );
  if (mailed.length > 2)
    notes.push(
      `${mailed.length - 1} variants are each compared with the control: with several comparisons, one of them ` +
        "is more likely to look significant by chance.",
    );
  return {
    ...(segment === undefined ? {} : { segment }),
    arms: counts.map((c) => armView(judge, c, control)),
    comparisons,
    revenue,
    notes,
  };
}

function campaignReport(judge: Judge, totals: CampaignTotals, control: string): CampaignReport {
  const currencies = [...new Set(totals.arms.filter((a) => a.revenueMinor !== 0).map((a) => a.currency))];
  if (currencies.length > 1)
    throw new ReportInputError(
      `campaign ${totals.campaignId}: revenue in several currencies (${currencies.join(", ")}) cannot be summed`,
    );
  const segmentNames = [
    ...new Set(totals.arms.flatMap((a) => (a.segment === undefined ? [] : [a.segment]))),
  ].sort();
  const currency = currencies[0] ?? totals.arms[0]?.currency;
  return {
    campaignId: totals.campaignId,
    name: totals.name,
    ...(currency === undefined ? {} : { currency }),
    overall: section(judge, totals.arms, control),
    segments: segmentNames.map((name) =>
      section(
        judge,
        totals.arms.filter((a) => a.segment === name),
        control,
        name,
      ),
    ),
  };
}

/**
 * Builds the report's numbers from counters: per campaign, per arm (and per segment when arms carry one),
 * rates with Wilson intervals, revenue per recipient, each variant's lift over the control (opens, clicks,
 * conversions) and over the holdout (conversions), with a fixed-horizon verdict (valid once the planned
 * sample size is reached, else "not enough data yet" with the sends still needed) and an always-valid
 * sequential verdict. Pure and deterministic.
 */
export function reportModel(totals: readonly CampaignTotals[], options: ReportOptions): ExperimentReport {
  const { confidence, minimumDetectableEffect: mde } = options;
  const power = options.power ?? 0.8;
  const controlVariant = options.controlVariant ?? "a";
  if (!(confidence > 0 && confidence < 1))
    throw new ReportInputError(`confidence ${confidence} not in (0, 1)`);
  if (!(power > 0 && power < 1)) throw new ReportInputError(`power ${power} not in (0, 1)`);
  // Up to 1 (a doubling), the change stays within [0, 1] in at least one direction for every baseline.
  if (!(mde > 0 && mde <= 1)) throw new ReportInputError(`minimum detectable effect ${mde} not in (0, 1]`);
  const judge: Judge = { confidence, mde, power };
  return {
    confidence,
    minimumDetectableEffect: mde,
    power,
    controlVariant,
    campaigns: totals.map((t) => campaignReport(judge, t, controlVariant)),
  };
}
