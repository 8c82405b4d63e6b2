import {
  AnomalyDetectionAlarm,
  CfnAnomalyDetector,
  ComparisonOperator,
  type IAlarm,
  type Metric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";

/** What {@link notifyingAnomalyAlarm} needs. */
export interface NotifyingAnomalyAlarmOptions {
  readonly description: string;
  /** The metric the model learns and the alarm compares (same namespace, name, dimensions and statistic). */
  readonly metric: Metric;
  /** Width of the band, in standard deviations of the model. */
  readonly stdDevs: number;
  /** Consecutive periods outside the band before it fires. */
  readonly periods: number;
  readonly topic: ITopic;
}

/**
 * An anomaly detection model of `metric` (`<id>Model`) and an alarm (`<id>Alarm`) firing when the metric leaves
 * its band on either side for `periods` periods in a row; missing data is fine; the alarm notifies the topic on
 * alarm and on recovery, and uses the model declared here, not one CloudWatch would create for it on the fly.
 */
export function notifyingAnomalyAlarm(
  scope: Construct,
  id: string,
  options: NotifyingAnomalyAlarmOptions,
): { readonly alarm: IAlarm; readonly model: CfnAnomalyDetector } {
  const { metric } = options;
  const model = new CfnAnomalyDetector(scope, `${id}Model`, {
    singleMetricAnomalyDetector: {
      namespace: metric.namespace,
      metricName: metric.metricName,
      dimensions: Object.entries(metric.dimensions ?? {}).map(([name, value]) => ({
        name,
        value: String(value),
      })),
      stat: metric.statistic,
    },
  });
  const alarm = new AnomalyDetectionAlarm(scope, `${id}Alarm`, {
    alarmDescription: options.description,
    metric,
    stdDevs: options.stdDevs,
    comparisonOperator: ComparisonOperator.LESS_THAN_LOWER_OR_GREATER_THAN_UPPER_THRESHOLD,
    evaluationPeriods: options.periods,
    datapointsToAlarm: options.periods,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(options.topic));
  alarm.addOkAction(new SnsAction(options.topic));
  alarm.node.addDependency(model);
  return { alarm, model };
}
