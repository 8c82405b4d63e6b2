/** The metric a model is judged by: ROC-AUC for propensity, precision@10 for the recommender. */
export type PrimaryMetric = "rocAuc" | "precisionAt10";

/** A model's figures on the new hold-out, as promotion compares them. */
export interface PromotionFigures {
  /** Which metric {@link value} and {@link baseline} are (higher is better). */
  readonly metric: PrimaryMetric;
  readonly value: number;
  /** The baseline's value of the same metric on the same rows (recency for propensity, popularity for lists). */
  readonly baseline: number;
  /** Brier score (lower is better); absent for the recommender. */
  readonly brier?: number;
}

/** The model in service, evaluated on the same hold-out as the candidate. */
export interface InServiceFigures extends PromotionFigures {
  readonly version: string;
}

/** How much worse than the model in service a candidate may be and still go out. */
export interface PromotionOptions {
  /** On the primary metric. @default 0.01 */
  readonly metricTolerance?: number;
  /** On the Brier score. @default 0.005 */
  readonly brierTolerance?: number;
}

/** Whether the candidate goes into service, and why in words. */
export interface PromotionDecision {
  readonly promoted: boolean;
  readonly reason: string;
  /** The version in service it was compared with, if any. */
  readonly against?: string;
}

const fixed = (x: number) => (Number.isFinite(x) ? x.toFixed(4) : String(x));

/**
 * Decides whether a candidate replaces the model in service. Both are evaluated on the same new hold-out. The
 * candidate must beat the baseline on the primary metric, and be no worse than the model in service by more than
 * `metricTolerance` on it nor more than `brierTolerance` on calibration (Brier). With no model in service, beating
 * the baseline is enough. A metric that could not be measured (NaN: no positives in the hold-out) refuses.
 */
export function decidePromotion(
  candidate: PromotionFigures,
  inService: InServiceFigures | undefined,
  options: PromotionOptions = {},
): PromotionDecision {
  const metricTolerance = options.metricTolerance ?? 0.01;
  const brierTolerance = options.brierTolerance ?? 0.005;
  const name = candidate.metric === "rocAuc" ? "ROC-AUC" : "precision@10";
  const against = inService === undefined ? {} : { against: inService.version };
  if (!Number.isFinite(candidate.value))
    return {
      promoted: false,
      reason: `the candidate's ${name} could not be measured on the hold-out`,
      ...against,
    };
  if (!(candidate.value > candidate.baseline))
    return {
      promoted: false,
      reason: `the candidate's ${name} ${fixed(candidate.value)} does not beat the baseline's ${fixed(candidate.baseline)}`,
      ...against,
    };
  if (inService === undefined)
    return {
      promoted: true,
      reason: `${name} ${fixed(candidate.value)} beats the baseline's ${fixed(candidate.baseline)}; no model in service`,
    };
  if (Number.isFinite(inService.value) && candidate.value < inService.value - metricTolerance)
    return {
      promoted: false,
      reason: `${name} ${fixed(candidate.value)} is worse than ${fixed(inService.value)} of ${inService.version} in service by more than ${metricTolerance}`,
      ...against,
    };
  if (
    candidate.brier !== undefined &&
    inService.brier !== undefined &&
    Number.isFinite(inService.brier) &&
    !(candidate.brier <= inService.brier + brierTolerance)
  )
    return {
      promoted: false,
      reason: `Brier score ${fixed(candidate.brier)} is worse calibrated than ${fixed(inService.brier)} of ${inService.version} in service by more than ${brierTolerance}`,
      ...against,
    };
  return {
    promoted: true,
    reason: `${name} ${fixed(candidate.value)} (in service ${fixed(inService.value)}, baseline ${fixed(candidate.baseline)}) within tolerance or better${candidate.brier === undefined ? "" : ", calibration no worse"}`,
    ...against,
  };
}
