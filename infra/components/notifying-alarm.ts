import { Duration } from "aws-cdk-lib";
import {
  Alarm,
  ComparisonOperator,
  type IAlarm,
  type IMetric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";

/** What {@link notifyingAlarm} needs. */
export interface NotifyingAlarmOptions {
  readonly description: string;
  readonly metric: IMetric;
  /** The alarm fires when the metric is above this. */
  readonly threshold: number;
  /**
   * Consecutive breaching periods before it fires.
   * @default 1
   */
  readonly periods?: number;
  /** Where it notifies, on alarm and on recovery. */
  readonly topic: ITopic;
}

/** Five minutes: the period of the app's count alarms. */
export const ALARM_PERIOD = Duration.minutes(5);

/**
 * An alarm in the app's one style: fires when the metric is above the threshold for `periods` periods in a row,
 * treats missing data as fine (no traffic is no trouble), and notifies the topic when it fires and when it
 * recovers.
 */
export function notifyingAlarm(scope: Construct, id: string, options: NotifyingAlarmOptions): IAlarm {
  const periods = options.periods ?? 1;
  const alarm = new Alarm(scope, id, {
    alarmDescription: options.description,
    metric: options.metric,
    threshold: options.threshold,
    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: periods,
    datapointsToAlarm: periods,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new SnsAction(options.topic));
  alarm.addOkAction(new SnsAction(options.topic));
  return alarm;
}
