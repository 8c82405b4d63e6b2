import { Duration } from "aws-cdk-lib";
import { type IAlarm, Metric } from "aws-cdk-lib/aws-cloudwatch";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Construct, type Node } from "constructs";
import { calibrationTarget } from "#shared/domain/models/live-calibration.js";
import { InfraConfigError } from "./infra-config-error.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { notifyingAlarm } from "./notifying-alarm.js";
import { RESCORE_SERVICE_NAME } from "./rescoring.js";

/**
 * Population stability above which a model's scores shifted significantly since the previous run: the usual
 * reading of the PSI (under 0.1 stable, 0.1 to 0.25 worth watching, above 0.25 a significant shift).
 */
export const SCORE_DRIFT_THRESHOLD = 0.25;

/** The nightly rescoring's drift metric, one per model (`shared/lambda/reports/rescore-report.ts`). */
export const SCORE_DRIFT_METRIC = "ScoreDrift";

/**
 * Live calibration gap (expected calibration error of the predictions resolved over the last 14 days) above which a
 * model's probabilities no longer mean what they say: by 0.1 on average, a customer given 0.3 buys about as often
 * as one given 0.2 or 0.4. `-c calibrationGapThreshold` changes it.
 */
export const DEFAULT_CALIBRATION_GAP_THRESHOLD = 0.1;

/** The nightly rescoring's live-calibration metric, one per propensity model (`rescore-report.ts`). */
export const CALIBRATION_GAP_METRIC = "CalibrationGap";

/** The context keys of the model alarms. */
export const MODEL_DRIFT_CONTEXT_KEYS = ["calibrationGapThreshold"] as const;

/**
 * The calibration alarm's threshold: the prop, else `-c calibrationGapThreshold`, else
 * {@link DEFAULT_CALIBRATION_GAP_THRESHOLD}; a gap above 0 and below 1, or an error naming the key and an example.
 */
export function resolveCalibrationGapThreshold(given: number | undefined, node: Node): number {
  const raw: unknown = given ?? node.tryGetContext("calibrationGapThreshold");
  if (raw === undefined || raw === "") return DEFAULT_CALIBRATION_GAP_THRESHOLD;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new InfraConfigError(
      `calibrationGapThreshold: expected a gap above 0 and below 1, e.g. -c calibrationGapThreshold=0.1 (got ${JSON.stringify(raw)})`,
    );
  }
  return value;
}

/** One run a night: the drift metrics' period. */
const NIGHTLY = Duration.days(1);

/** A nightly metric of `model`, as rescoring's Finish publishes it (dimensions `service`, `model`). */
function nightlyModelMetric(metricName: string, model: string): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: RESCORE_SERVICE_NAME, model },
    statistic: "Maximum",
    period: NIGHTLY,
  });
}

/** The drift metric of `model`, as rescoring's Finish publishes it (dimensions `service`, `model`). */
export function scoreDriftMetric(model: string): Metric {
  return nightlyModelMetric(SCORE_DRIFT_METRIC, model);
}

/** The live-calibration metric of `model`, as rescoring's Finish publishes it (dimensions `service`, `model`). */
export function calibrationGapMetric(model: string): Metric {
  return nightlyModelMetric(CALIBRATION_GAP_METRIC, model);
}

/** Props of {@link ModelDrift}. */
export interface ModelDriftProps {
  /** The scoring models. */
  readonly models: readonly string[];
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
  /** @default `-c calibrationGapThreshold`, else {@link DEFAULT_CALIBRATION_GAP_THRESHOLD} */
  readonly calibrationGapThreshold?: number;
}

/**
 * An alarm per scoring model when the nightly rescoring finds its score distribution shifted significantly
 * (population stability above {@link SCORE_DRIFT_THRESHOLD}), and one per propensity model when its live
 * calibration gap passes the threshold; the training workflow starts on any of them ({@link ModelDrift.all}).
 */
export class ModelDrift extends Construct {
  /** The score drift alarms, by model. */
  readonly alarms: Readonly<Record<string, IAlarm>>;
  /** The live-calibration alarms, by propensity model (`purchase_<n>d`, `churn_<n>d`). */
  readonly calibrationAlarms: Readonly<Record<string, IAlarm>>;
  /** The calibration alarms' threshold. */
  readonly calibrationGapThreshold: number;

  constructor(scope: Construct, id: string, props: ModelDriftProps) {
    super(scope, id);
    const alarms: Record<string, IAlarm> = {};
    for (const model of props.models) {
      alarms[model] = notifyingAlarm(this, `${model}ScoreDriftAlarm`, {
        description:
          `The scores of ${model} shifted significantly since the previous rescoring (population stability ` +
          `above ${SCORE_DRIFT_THRESHOLD}): the training workflow starts; see docs/models.md, "On AWS"`,
        metric: scoreDriftMetric(model),
        threshold: SCORE_DRIFT_THRESHOLD,
        topic: props.alarmTopic,
      });
    }
    this.alarms = alarms;
    const threshold = resolveCalibrationGapThreshold(props.calibrationGapThreshold, this.node);
    const calibration: Record<string, IAlarm> = {};
    for (const model of props.models) {
      const target = calibrationTarget(model);
      if (target === undefined) continue;
      calibration[model] = notifyingAlarm(this, `${model}CalibrationAlarm`, {
        description:
          `The predictions of ${model} made ${target.horizonDays} days ago and since resolved (over 14 days) are off ` +
          `from what happened by more than ${threshold} on average (CalibrationGap, expected calibration error): ` +
          `the training workflow starts; see docs/operations.md, "Model calibration"`,
        metric: calibrationGapMetric(model),
        threshold,
        topic: props.alarmTopic,
      });
    }
    this.calibrationAlarms = calibration;
    this.calibrationGapThreshold = threshold;
  }

  /** Every alarm: the score drift ones, then the calibration ones. */
  all(): IAlarm[] {
    return [...Object.values(this.alarms), ...Object.values(this.calibrationAlarms)];
  }
}
