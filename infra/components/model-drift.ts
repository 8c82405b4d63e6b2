import { Duration } from "aws-cdk-lib";
import { type IAlarm, Metric } from "aws-cdk-lib/aws-cloudwatch";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
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

/** One run a night: the drift metrics' period. */
const NIGHTLY = Duration.days(1);

/** The drift metric of `model`, as rescoring's Finish publishes it (dimensions `service`, `model`). */
export function scoreDriftMetric(model: string): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: SCORE_DRIFT_METRIC,
    dimensionsMap: { service: RESCORE_SERVICE_NAME, model },
    statistic: "Maximum",
    period: NIGHTLY,
  });
}

/** Props of {@link ModelDrift}. */
export interface ModelDriftProps {
  /** The scoring models. */
  readonly models: readonly string[];
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
}

/**
 * An alarm per scoring model when the nightly rescoring finds its score distribution shifted significantly
 * (population stability above {@link SCORE_DRIFT_THRESHOLD}); the training workflow starts on any of them.
 */
export class ModelDrift extends Construct {
  /** The alarms, by model. */
  readonly alarms: Readonly<Record<string, IAlarm>>;

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
  }
}
