import type { IHttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type GraphWidgetProps,
  type IAlarm,
  type IMetric,
  type IWidget,
  MathExpression,
  TextWidget,
} from "aws-cdk-lib/aws-cloudwatch";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { FANOUT_SERVICE_NAME } from "./campaign-fanout.js";
import { CAMPAIGN_TRANSITIONS_SERVICE_NAME } from "./campaign-triggers.js";
import {
  anomalyBand,
  bounceRatePercent,
  CAMPAIGN_SENDS_METRIC,
  complaintRatePercent,
  type DeliveryAlarms,
  pipelineMetric,
  sendVolumeMetric,
} from "./delivery-alarms.js";
import { DISPATCH_SERVICE_NAME } from "./dispatch.js";
import { INGEST_SERVICE_NAME, METRICS_NAMESPACE } from "./ingest.js";
import { ALARM_PERIOD } from "./notifying-alarm.js";
import { SEGMENT_TIMERS_SERVICE_NAME } from "./segment-timers.js";
import { SES_FEEDBACK_SERVICE_NAME } from "./ses-feedback.js";

/** Props of {@link PipelineDashboard}. */
export interface PipelineDashboardProps {
  /** The event stream ingest reads (its iterator age). */
  readonly stream: IStream;
  /** The HTTP API (its 4xx and 5xx). */
  readonly api: IHttpApi;
  /** Every dead-letter queue of the app, by the name shown in the legend. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** The bounce, complaint and send-volume alarms (and the band width of the last). */
  readonly deliveryAlarms: DeliveryAlarms;
  /** Every alarm of the app, shown by state at the top. */
  readonly alarms: readonly IAlarm[];
  /**
   * The raw event archive: records read from the stream and delivered to S3, failures, freshness.
   * @default - no archive graphs
   */
  readonly archive?: {
    firehoseMetric(metricName: string, statistic: string, label?: string): IMetric;
    readonly failedRecords: IMetric;
  };
}

const WIDTH = 8;
const HEIGHT = 6;
/** CloudWatch shows at most this many alarms in one status widget. */
const MAX_ALARMS_PER_WIDGET = 100;

/**
 * The search over every campaign and variant dispatch has sent for: one series per (campaign, variant), so a
 * new campaign or variant appears without a deploy.
 */
export function campaignSendsSearch(periodSeconds: number = ALARM_PERIOD.toSeconds()): string {
  return (
    `SEARCH('{${METRICS_NAMESPACE},campaign,service,variant} MetricName="${CAMPAIGN_SENDS_METRIC}" ` +
    `service="${DISPATCH_SERVICE_NAME}"', 'Sum', ${periodSeconds})`
  );
}

/**
 * The CloudWatch dashboard of the pipeline, in the order an event travels: alarms by state; events in,
 * quarantined and the stream's iterator age; segment transitions and send intents; sends by campaign and
 * variant, the decisions not to send, and the send volume against its anomaly band; engagement, bounce and
 * complaint rates; dead-letter queues and the API's errors.
 */
export class PipelineDashboard extends Construct {
  /** The dashboard. */
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const ingest = (name: string, label?: string) =>
      pipelineMetric(INGEST_SERVICE_NAME, name, label === undefined ? {} : { label });
    const dispatch = (name: string, label: string) => pipelineMetric(DISPATCH_SERVICE_NAME, name, { label });
    const feedback = (name: string, label: string) =>
      pipelineMetric(SES_FEEDBACK_SERVICE_NAME, name, { label });
    const graph = (title: string, left: IMetric[], extra: GraphWidgetInit = {}) =>
      new GraphWidget({ title, left, width: WIDTH, height: HEIGHT, ...extra });

    const volume = sendVolumeMetric();
    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown:
            "# Tailor pipeline\nEvents → profiles → segments → campaigns → sends → SES feedback. " +
            "Counts are per 5 minutes; rates per hour.",
          width: 24,
          height: 2,
        }),
      ],
      alarmRows(props.alarms),
      [
        graph("Events in", [ingest("EventsIngested", "ingested"), ingest("EventsDuplicate", "duplicates")]),
        graph("Quarantined", [ingest("EventsQuarantined", "quarantined")]),
        graph("Iterator age (ms)", [
          props.stream.metricGetRecordsIteratorAgeMilliseconds({
            statistic: "Maximum",
            period: ALARM_PERIOD,
            label: "ingest iterator age",
          }),
        ]),
      ],
      [
        graph("Segment transitions (entries and exits)", [
          ingest("SegmentTransitions", "on events (ingest)"),
          pipelineMetric(SEGMENT_TIMERS_SERVICE_NAME, "SegmentTransitions", { label: "on time (timers)" }),
        ]),
        graph("Send intents", [
          ingest("SendIntents", "event triggers"),
          pipelineMetric(CAMPAIGN_TRANSITIONS_SERVICE_NAME, "SendIntents", { label: "segment triggers" }),
          pipelineMetric(FANOUT_SERVICE_NAME, "SendIntents", { label: "schedules (fan-out)" }),
        ]),
        graph("Sends by campaign and variant", [
          new MathExpression({ expression: campaignSendsSearch(), label: "", period: ALARM_PERIOD }),
        ]),
      ],
      [
        graph(
          "Skipped, deferred, held out",
          [
            dispatch("SendsSkipped", "skipped"),
            dispatch("SendsDeferred", "deferred"),
            dispatch("SendsHeldOut", "held out"),
            dispatch("SendsDuplicate", "duplicates"),
            dispatch("SendsFailedPermanent", "failed"),
          ],
          { stacked: true },
        ),
        graph("Send volume and its expected band", [
          volume,
          anomalyBand(volume, props.deliveryAlarms.sendVolumeStdDevs),
        ]),
        graph("Engagement", [
          feedback("EmailsDelivered", "delivered"),
          feedback("EmailsOpened", "opened"),
          feedback("EmailsClicked", "clicked"),
          feedback("EmailsBounced", "bounced"),
          feedback("EmailsComplained", "complained"),
        ]),
      ],
      [
        graph("Bounce rate (%)", [bounceRatePercent()], {
          leftAnnotations: [{ value: 5, label: "SES review (5 %)" }],
        }),
        graph("Complaint rate (%)", [complaintRatePercent()], {
          leftAnnotations: [{ value: 0.1, label: "SES review (0.1 %)" }],
        }),
        graph(
          "Dead-letter queues (messages)",
          Object.entries(props.deadLetterQueues).map(([label, queue]) =>
            queue.metricApproximateNumberOfMessagesVisible({
              statistic: "Maximum",
              period: ALARM_PERIOD,
              label,
            }),
          ),
        ),
      ],
      [
        graph("API errors", [
          props.api.metricClientError({ statistic: "Sum", period: ALARM_PERIOD, label: "4xx" }),
          props.api.metricServerError({ statistic: "Sum", period: ALARM_PERIOD, label: "5xx" }),
        ]),
        graph("Scheduled campaigns' fan-out", [
          pipelineMetric(FANOUT_SERVICE_NAME, "FanOutProfilesRead", { label: "profiles read" }),
          pipelineMetric(FANOUT_SERVICE_NAME, "AudienceMembers", { label: "audience members" }),
          pipelineMetric(FANOUT_SERVICE_NAME, "SendIntents", { label: "intents enqueued" }),
          pipelineMetric(FANOUT_SERVICE_NAME, "FanOutPartsDone", { label: "parts done" }),
        ]),
        ...archiveGraphs(props.archive, graph),
      ],
    ];
    this.dashboard = new Dashboard(this, "Dashboard", { widgets: rows });
  }
}

/** The archive's graphs: records in and out, the ones it could not wrap, and how far behind it is. */
function archiveGraphs(
  archive: PipelineDashboardProps["archive"],
  graph: (title: string, left: IMetric[]) => IWidget,
): IWidget[] {
  if (archive === undefined) return [];
  return [
    graph("Raw event archive (records)", [
      archive.firehoseMetric("DataReadFromKinesisStream.Records", "Sum", "read from the stream"),
      archive.firehoseMetric("DeliveryToS3.Records", "Sum", "delivered to S3"),
      archive.failedRecords,
    ]),
    graph("Raw event archive freshness (s)", [
      archive.firehoseMetric("DeliveryToS3.DataFreshness", "Maximum", "oldest record not yet in S3"),
    ]),
  ];
}

/** The optional settings of a graph this dashboard passes on. */
type GraphWidgetInit = Pick<GraphWidgetProps, "stacked" | "leftAnnotations">;

/** Status widgets of the alarms, a hundred to a widget. */
function alarmRows(alarms: readonly IAlarm[]): IWidget[] {
  const widgets: IWidget[] = [];
  for (let start = 0; start < alarms.length; start += MAX_ALARMS_PER_WIDGET) {
    widgets.push(
      new AlarmStatusWidget({
        title: "Alarms",
        alarms: alarms.slice(start, start + MAX_ALARMS_PER_WIDGET),
        width: 24,
        height: 4,
      }),
    );
  }
  return widgets;
}
