import { Duration } from "aws-cdk-lib";
import {
  type CfnAnomalyDetector,
  type IAlarm,
  type IMetric,
  MathExpression,
  Metric,
} from "aws-cdk-lib/aws-cloudwatch";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { notifyingAnomalyAlarm } from "./anomaly-alarm.js";
import { DISPATCH_SERVICE_NAME } from "./dispatch.js";
import { InfraConfigError } from "./infra-config-error.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";
import { SES_FEEDBACK_SERVICE_NAME } from "./ses-feedback.js";

/** Options of {@link pipelineMetric}. */
export interface PipelineMetricOptions {
  /** @default five minutes ({@link ALARM_PERIOD}) */
  readonly period?: Duration;
  /** @default "Sum" */
  readonly statistic?: string;
  /** @default - the metric name */
  readonly label?: string;
}

/**
 * One of the counts a Tailor function publishes with Powertools Metrics (EMF): namespace `Tailor`, dimension
 * `service` = the function's service name (Powertools adds it to every metric).
 */
export function pipelineMetric(
  service: string,
  metricName: string,
  options: PipelineMetricOptions = {},
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service },
    statistic: options.statistic ?? "Sum",
    period: options.period ?? ALARM_PERIOD,
    ...(options.label === undefined ? {} : { label: options.label }),
  });
}

/** The metric of sends by campaign and variant the dispatch function publishes (dimensions `campaign`, `variant`). */
export const CAMPAIGN_SENDS_METRIC = "CampaignSends";

/**
 * Sends that SES accepted, as dispatch counts them: the series the send-volume anomaly model learns. The
 * anomaly detector and the alarm must name exactly this metric and statistic.
 */
export function sendVolumeMetric(period: Duration = ALARM_PERIOD): Metric {
  return pipelineMetric(DISPATCH_SERVICE_NAME, "SendsSent", { period, label: "emails sent" });
}

/**
 * Sends dispatch recorded as failed for good (`reportDispatch`): SES rejections (`MailerRejectedError`), render
 * failures, outcomes unknown.
 */
export const SEND_FAILURES_METRIC = "SendsFailedPermanent";

/** Options of the rate expressions. */
export interface RateOptions {
  /** @default one hour */
  readonly period?: Duration;
  /**
   * Below this many outcomes in a period the rate reads 0 (a single bounce among 10 emails is not a 10 %
   * reputation problem). 0 shows the raw rate, for graphs.
   * @default 0
   */
  readonly minVolume?: number;
}

const feedback = (metricName: string, period: Duration) =>
  pipelineMetric(SES_FEEDBACK_SERVICE_NAME, metricName, { period });

/** `expression`, or 0 while `volume` is below `minVolume`. */
const guarded = (expression: string, volume: string, minVolume: number) =>
  minVolume > 0 ? `IF(${volume} >= ${minVolume}, ${expression}, 0)` : expression;

/**
 * Hard-bounce rate in percent: permanent bounces over the emails that reached an outcome (delivered or bounced),
 * as SES counts its own bounce rate (hard bounces only). Counts are filled with 0 in periods without any, since
 * the feedback function publishes a count only when such an event arrives.
 */
export function bounceRatePercent(options: RateOptions = {}): MathExpression {
  const period = options.period ?? Duration.hours(1);
  const outcomes = "(FILL(delivered, 0) + FILL(bounced, 0))";
  return new MathExpression({
    expression: guarded(`100 * FILL(hard, 0) / ${outcomes}`, outcomes, options.minVolume ?? 0),
    usingMetrics: {
      delivered: feedback("EmailsDelivered", period),
      bounced: feedback("EmailsBounced", period),
      hard: feedback("EmailsHardBounced", period),
    },
    label: "bounce rate (%)",
    period,
  });
}

/** Complaint rate in percent: complaints over deliveries (only a delivered email can be complained about). */
export function complaintRatePercent(options: RateOptions = {}): MathExpression {
  const period = options.period ?? Duration.hours(1);
  const delivered = "FILL(delivered, 0)";
  return new MathExpression({
    expression: guarded(`100 * FILL(complained, 0) / ${delivered}`, delivered, options.minVolume ?? 0),
    usingMetrics: {
      delivered: feedback("EmailsDelivered", period),
      complained: feedback("EmailsComplained", period),
    },
    label: "complaint rate (%)",
    period,
  });
}

/** Props of {@link DeliveryAlarms}. */
export interface DeliveryAlarmsProps {
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
  /**
   * The bounce-rate alarm fires above this percentage. SES puts an account under review at a 5 % bounce rate
   * (and may pause sending at 10 %): the alarm fires at SES's review threshold.
   * @default 5
   */
  readonly maxBounceRatePercent?: number;
  /**
   * The complaint-rate alarm fires above this percentage. SES puts an account under review at a 0.1 % complaint
   * rate (and may pause sending at 0.5 %): the alarm fires at SES's review threshold.
   * @default 0.1
   */
  readonly maxComplaintRatePercent?: number;
  /**
   * Rates over fewer outcomes than this in an hour are not alarmed on: too few emails to say anything.
   * @default 100
   */
  readonly minHourlyVolume?: number;
  /**
   * Width of the send-volume anomaly band, in standard deviations of the model.
   * @default 3
   */
  readonly sendVolumeStdDevs?: number;
}

/**
 * The alarms on what happens to the emails: sends that failed for good (SES rejections above all), bounce rate
 * and complaint rate (SES's own review thresholds, from the feedback function's counts) and an anomaly in send volume (a CloudWatch anomaly detection model of the
 * sends per five minutes, alarming outside its band: a flood from a broken audience, or a silence from a stalled
 * pipeline). All notify the alarm topic, on alarm and on recovery.
 */
export class DeliveryAlarms extends Construct {
  /** Hard-bounce rate above the threshold over an hour. */
  readonly bounceRate: IAlarm;
  /** Complaint rate above the threshold over an hour. */
  readonly complaintRate: IAlarm;
  /** Sends outside the anomaly band for three periods in a row. */
  readonly sendVolume: IAlarm;
  /** Sends that failed for good: SES rejected them, or they could not be rendered. */
  readonly sendFailures: IAlarm;
  /** The anomaly detection model of the send volume. */
  readonly sendVolumeDetector: CfnAnomalyDetector;
  /** The band width the send-volume alarm uses, for graphs. */
  readonly sendVolumeStdDevs: number;

  constructor(scope: Construct, id: string, props: DeliveryAlarmsProps) {
    super(scope, id);
    const maxBounce = props.maxBounceRatePercent ?? 5;
    const maxComplaint = props.maxComplaintRatePercent ?? 0.1;
    const minVolume = props.minHourlyVolume ?? 100;
    const stdDevs = props.sendVolumeStdDevs ?? 3;
    for (const [name, value] of [
      ["maxBounceRatePercent", maxBounce],
      ["maxComplaintRatePercent", maxComplaint],
    ] as const) {
      if (!(value > 0 && value < 100))
        throw new InfraConfigError(`${name} must be between 0 and 100, got ${value}`);
    }
    if (!Number.isInteger(minVolume) || minVolume < 1) {
      throw new InfraConfigError(`minHourlyVolume must be a positive integer, got ${minVolume}`);
    }
    if (!(stdDevs > 0)) throw new InfraConfigError(`sendVolumeStdDevs must be positive, got ${stdDevs}`);
    this.sendVolumeStdDevs = stdDevs;

    this.bounceRate = notifyingAlarm(this, "BounceRateAlarm", {
      description:
        `Hard-bounce rate above ${maxBounce} % over the last hour: SES reviews an account at 5 % and may ` +
        "pause its sending at 10 %. Look for a bad list import or an old segment.",
      metric: bounceRatePercent({ minVolume }),
      threshold: maxBounce,
      topic: props.alarmTopic,
    });
    this.complaintRate = notifyingAlarm(this, "ComplaintRateAlarm", {
      description:
        `Complaint rate above ${maxComplaint} % over the last hour: SES reviews an account at 0.1 % and may ` +
        "pause its sending at 0.5 %. Look at the campaigns sent recently and their consent.",
      metric: complaintRatePercent({ minVolume }),
      threshold: maxComplaint,
      topic: props.alarmTopic,
    });

    this.sendFailures = notifyingAlarm(this, "SendFailuresAlarm", {
      description:
        "Emails failed for good in the last 5 minutes (dispatch's SendsFailedPermanent): SES rejected them " +
        "(MessageRejected: an unverified sender or, in the SES sandbox, recipient; a paused or suspended " +
        "account) or they could not be rendered. The send ledger and dispatch's log hold the reasons.",
      metric: pipelineMetric(DISPATCH_SERVICE_NAME, SEND_FAILURES_METRIC),
      threshold: 0,
      topic: props.alarmTopic,
    });

    const { alarm, model } = notifyingAnomalyAlarm(this, "SendVolume", {
      description:
        "Send volume outside its usual band for 15 minutes: a flood (an audience or trigger gone wrong) or a " +
        "silence (ingest, campaigns or dispatch stalled).",
      metric: sendVolumeMetric(),
      stdDevs,
      periods: 3,
      topic: props.alarmTopic,
    });
    this.sendVolumeDetector = model;
    this.sendVolume = alarm;
  }

  /** The four alarms, for a status widget. */
  all(): IAlarm[] {
    return [this.bounceRate, this.complaintRate, this.sendVolume, this.sendFailures];
  }
}

/** The anomaly band of `metric`, for a graph beside it. */
export function anomalyBand(metric: IMetric, stdDevs: number): MathExpression {
  return new MathExpression({
    expression: `ANOMALY_DETECTION_BAND(volume, ${stdDevs})`,
    usingMetrics: { volume: metric },
    label: "expected band",
  });
}
