import { Duration } from "aws-cdk-lib";
import { type CfnAnomalyDetector, type IAlarm, MathExpression, Metric } from "aws-cdk-lib/aws-cloudwatch";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Construct, type Node } from "constructs";
import { notifyingAnomalyAlarm } from "./anomaly-alarm.js";
import { pipelineMetric } from "./delivery-alarms.js";
import { InfraConfigError } from "./infra-config-error.js";
import { INGEST_SERVICE_NAME, METRICS_NAMESPACE } from "./ingest.js";
import { notifyingAlarm } from "./notifying-alarm.js";
import { RESCORE_SERVICE_NAME } from "./rescoring.js";

/** The context keys of the data-quality alarms. */
export const DATA_QUALITY_CONTEXT_KEYS = [
  "quarantineSharePercent",
  "featureDriftThreshold",
  "eventVolumeStdDevs",
] as const;

/** The data-quality settings, from props or the CDK context. */
export interface DataQualitySettingsInput {
  /**
   * The quarantine-share alarm fires when more than this percentage of the records ingest received in 15
   * minutes were quarantined.
   * @default 1
   */
  readonly quarantineSharePercent?: number;
  /**
   * The feature-drift alarm fires when a model input's PSI against the previous nightly run is above this.
   * @default 0.25 (the usual "significant shift")
   */
  readonly featureDriftThreshold?: number;
  /**
   * Width of the per-type event volume anomaly bands, in standard deviations of the models.
   * @default 3
   */
  readonly eventVolumeStdDevs?: number;
}

/** The settings resolved. */
export interface DataQualitySettings {
  readonly quarantineSharePercent: number;
  readonly featureDriftThreshold: number;
  readonly eventVolumeStdDevs: number;
}

function setting(
  input: DataQualitySettingsInput,
  node: Node,
  key: (typeof DATA_QUALITY_CONTEXT_KEYS)[number],
  fallback: number,
  valid: (value: number) => boolean,
  rule: string,
): number {
  const raw: unknown = input[key] ?? node.tryGetContext(key);
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !valid(value)) {
    throw new InfraConfigError(`${key}: expected ${rule} (got ${JSON.stringify(raw)})`);
  }
  return value;
}

/** Resolves and checks the data-quality settings, each error naming its key and an example. */
export function resolveDataQualitySettings(input: DataQualitySettingsInput, node: Node): DataQualitySettings {
  return {
    quarantineSharePercent: setting(
      input,
      node,
      "quarantineSharePercent",
      1,
      (v) => v > 0 && v < 100,
      "a percentage above 0 and below 100, e.g. -c quarantineSharePercent=2",
    ),
    featureDriftThreshold: setting(
      input,
      node,
      "featureDriftThreshold",
      0.25,
      (v) => v > 0 && v <= 10,
      "a PSI above 0 (at most 10), e.g. -c featureDriftThreshold=0.25",
    ),
    eventVolumeStdDevs: setting(
      input,
      node,
      "eventVolumeStdDevs",
      3,
      (v) => v > 0 && v <= 10,
      "standard deviations above 0 (at most 10), e.g. -c eventVolumeStdDevs=3",
    ),
  };
}

/**
 * The event types whose hourly volume has an anomaly model and alarm: the ones personalisation rests on
 * (`eventType` dimension values of ingest's `EventsByType`).
 */
export const WATCHED_EVENT_TYPES = [
  "order_completed",
  "product_viewed",
  "product_added",
  "page",
  "identify",
] as const;

/** Ingest's valid events of one type per hour (`EventsByType`, dimensions `service` and `eventType`). */
export function eventTypeMetric(eventType: string, period: Duration = Duration.hours(1)): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: "EventsByType",
    dimensionsMap: { service: INGEST_SERVICE_NAME, eventType },
    statistic: "Sum",
    period,
    label: `${eventType} events`,
  });
}

/**
 * The share of the records ingest received that it quarantined, in percent: quarantined over valid plus
 * quarantined, each filled with 0 where ingest published none.
 */
export function quarantineSharePercent(period: Duration = Duration.minutes(15)): MathExpression {
  const received = "(FILL(valid, 0) + FILL(quarantined, 0))";
  return new MathExpression({
    expression: `IF(${received} > 0, 100 * FILL(quarantined, 0) / ${received}, 0)`,
    usingMetrics: {
      valid: pipelineMetric(INGEST_SERVICE_NAME, "EventsIngested", { period }),
      quarantined: pipelineMetric(INGEST_SERVICE_NAME, "EventsQuarantined", { period }),
    },
    label: "quarantined share (%)",
    period,
  });
}

/** Props of {@link DataQualityAlarms}. */
export interface DataQualityProps extends DataQualitySettingsInput {
  readonly alarmTopic: ITopic;
}

/**
 * Alarms on the incoming data itself, beside the pipeline's health alarms: the share of records quarantined, a
 * sudden drop or spike of a main event type per hour against its learned usual level (a CloudWatch anomaly
 * detection model per type), and drift in the model inputs the nightly rescoring reads (PSI against the previous
 * run). Each notifies the alarm topic, on alarm and on recovery.
 */
export class DataQualityAlarms extends Construct {
  readonly settings: DataQualitySettings;
  /** Quarantined share above the setting over 15 minutes. */
  readonly quarantineShare: IAlarm;
  /** Per watched event type: its hourly volume outside the anomaly band. */
  readonly eventVolume: ReadonlyMap<string, IAlarm>;
  /** The anomaly models of the watched event types. */
  readonly eventVolumeModels: readonly CfnAnomalyDetector[];
  /** A model input's PSI above the threshold. */
  readonly featureDrift: IAlarm;

  constructor(scope: Construct, id: string, props: DataQualityProps) {
    super(scope, id);
    const settings = resolveDataQualitySettings(props, this.node);
    this.settings = settings;

    this.quarantineShare = notifyingAlarm(this, "QuarantineShareAlarm", {
      description:
        `More than ${settings.quarantineSharePercent} % of the records received in 15 minutes were quarantined: ` +
        "a producer sends malformed events (a release, a schema change). `tailor quarantine` lists the reasons " +
        "and raw records; fix the producer, then replay them.",
      metric: quarantineSharePercent(),
      threshold: settings.quarantineSharePercent,
      topic: props.alarmTopic,
    });

    const alarms = new Map<string, IAlarm>();
    const models: CfnAnomalyDetector[] = [];
    for (const eventType of WATCHED_EVENT_TYPES) {
      const metric = eventTypeMetric(eventType);
      const name = eventType
        .split("_")
        .map((word) => `${word.slice(0, 1).toUpperCase()}${word.slice(1)}`)
        .join("");
      const { alarm, model } = notifyingAnomalyAlarm(this, `${name}Volume`, {
        description:
          `${eventType} events per hour outside their usual band for 2 hours: a drop (a tracking snippet ` +
          "removed, a producer down, a consent banner change) or a spike (a bot, a replay, a double send). " +
          "Compare with the producers' releases; `tailor quarantine` shows rejects.",
        metric,
        stdDevs: settings.eventVolumeStdDevs,
        periods: 2,
        topic: props.alarmTopic,
      });
      alarms.set(eventType, alarm);
      models.push(model);
    }
    this.eventVolume = alarms;
    this.eventVolumeModels = models;

    this.featureDrift = notifyingAlarm(this, "FeatureDriftAlarm", {
      description:
        `A model input drifted: its PSI against the previous nightly rescoring is above ${settings.featureDriftThreshold} ` +
        "(FeatureDrift by feature says which). Scores rest on inputs unlike the training data: look for a " +
        "tracking change, then retrain (tailor train) if the shift is real.",
      metric: pipelineMetric(RESCORE_SERVICE_NAME, "FeatureDriftMax", {
        statistic: "Maximum",
        period: Duration.days(1),
      }),
      threshold: settings.featureDriftThreshold,
      topic: props.alarmTopic,
    });
  }

  /** Every data-quality alarm, for a status widget. */
  all(): IAlarm[] {
    return [this.quarantineShare, ...this.eventVolume.values(), this.featureDrift];
  }
}
