import { fileURLToPath } from "node:url";
import { Duration, Validations } from "aws-cdk-lib";
import { type IAlarm, type IMetric, Metric } from "aws-cdk-lib/aws-cloudwatch";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import { type IFunction, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { KinesisEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import type { IBucket } from "aws-cdk-lib/aws-s3";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { ingestEnvSchema } from "#functions/ingest/env.js";
import { LOCAL_NAMES } from "../local-names.js";
import type { AuditTable } from "./audit-store.js";
import { CAMPAIGNS_DIR, type CampaignDefinitions, EMAILS_DIR } from "./campaign-definitions.js";
import { DeadLetterQueue } from "./dead-letter-queue.js";
import { InfraConfigError } from "./infra-config-error.js";
import { invokeEndpointsStatement } from "./invoke-endpoints.js";
import { tagLocalName } from "./local-name.js";
import { arnFinding } from "./nag-findings.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";
import { ProjectFunction } from "./project-function.js";
import { type RetentionSettings, retentionEnvironment } from "./retention-settings.js";
import { SEGMENTS_DIR, type SegmentDefinitions } from "./segment-definitions.js";
import type { WatchTable } from "./watch-index.js";

/** The ingest function's handler, found from this file, wherever the repository is checked out. */
const ingestEntry = fileURLToPath(new URL("../../functions/ingest/handler.ts", import.meta.url));

/** Namespace of the metrics the functions publish (Powertools EMF). */
export const METRICS_NAMESPACE = "Tailor";
/** Service name of the ingest function: its logs' `service` key and its metrics' `service` dimension. */
export const INGEST_SERVICE_NAME = "ingest";

/** Props of {@link Ingest}. */
export interface IngestProps {
  /** How long the items the function writes are kept (their `ttl`). @default the adapters' defaults */
  readonly retention?: RetentionSettings;
  /** The stream the events arrive on. */
  readonly stream: IStream;
  /** The profile table the function reads and writes. */
  readonly profiles: ITable;
  /** The bucket malformed records are quarantined in. */
  readonly quarantineBucket: IBucket;
  /** The due-time timers table: where a customer's next time-driven segment change is scheduled. */
  readonly timers: ITable;
  /** The segment bookkeeping table (size counters, RFM thresholds). */
  readonly segments: ITable;
  /** Where segment transitions (entered, exited) are sent for campaigns. */
  readonly transitionsQueue: IQueue;
  /** The segment definitions evaluated after each fold, shipped in the function's bundle. */
  readonly definitions: SegmentDefinitions;
  /** The campaigns whose event triggers create send intents, shipped in the function's bundle. */
  readonly campaigns: CampaignDefinitions;
  /** Where the send intents due now are sent. */
  readonly sendsQueue: IQueue;
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
  /** The catalog table and changes queue `Product Updated` events go to. @default - product events dropped */
  readonly catalog?: { readonly table: ITable; readonly changesQueue: IQueue };
  /** The audit log, appended to with the consent changes and the dropped events of erased customers. */
  readonly audit: AuditTable;
  /**
   * The watch index of catalog-triggered campaigns: views and cart adds are recorded, bought products forgotten.
   * @default - none recorded
   */
  readonly watches?: WatchTable;
  /**
   * The alarm fires when more records than this are quarantined in 5 minutes. Zero means any malformed
   * record is worth a look; raise it when a known-noisy producer is being fixed.
   * @default 0
   */
  readonly quarantineAlarmThreshold?: number;
  /**
   * The alarm fires when the oldest unread record has been waiting longer than this for 5 minutes in a row.
   * @default 60 seconds
   */
  readonly maxIteratorAge?: Duration;
  /**
   * Real-time scoring: the models and their endpoints, and the minutes between two rescorings of a customer.
   * @default - none: scores move only in the nightly rescoring
   */
  readonly scoring?: { readonly modelEndpoints: Readonly<Record<string, string>>; readonly minutes: number };
}

/** The alarms of the ingest capability. */
export interface IngestAlarms {
  /** Ingest is falling behind the stream. */
  readonly iteratorAge: IAlarm;
  /** Malformed records were quarantined. */
  readonly quarantined: IAlarm;
  /** Batches were given up on and sent to the dead-letter queue. */
  readonly deadLetters: IAlarm;
  /** Invocations failed as a whole. */
  readonly errors: IAlarm;
}

/**
 * Ingest: the function that reads the event stream in batches, folds events into profiles and quarantines
 * what it cannot read; the event source mapping that feeds it (bisecting failing batches, retrying only the
 * failed records, giving up to a dead-letter queue); and the alarms that say when any of it goes wrong.
 */
export class Ingest extends Construct {
  /** The ingest function. */
  readonly function: IFunction;
  /** Where the event source mapping sends the batches it gave up on (metadata, not the records). */
  readonly deadLetterQueue: IQueue;
  /** The capability's alarms, all notifying the alarm topic. */
  readonly alarms: IngestAlarms;

  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    const quarantineThreshold = props.quarantineAlarmThreshold ?? 0;
    if (!Number.isInteger(quarantineThreshold) || quarantineThreshold < 0) {
      throw new InfraConfigError(
        `quarantineAlarmThreshold must be a non-negative integer, got ${quarantineThreshold}`,
      );
    }
    const maxIteratorAge = props.maxIteratorAge ?? Duration.seconds(60);

    const ingest = new ProjectFunction(this, "Function", {
      entry: ingestEntry,
      description: "Folds the event stream into customer profiles; quarantines malformed records",
      timeout: Duration.seconds(60),
      environmentSchema: ingestEnvSchema,
      environment: {
        PROFILES_TABLE: props.profiles.tableName,
        QUARANTINE_BUCKET: props.quarantineBucket.bucketName,
        AUDIT_TABLE: props.audit.table.tableName,
        ...(props.watches === undefined ? {} : { WATCHES_TABLE: props.watches.table.tableName }),
        SEGMENTS_DIR,
        TIMERS_TABLE: props.timers.tableName,
        ...retentionEnvironment(props.retention, "audit", "timers"),
        SEGMENTS_TABLE: props.segments.tableName,
        TRANSITIONS_QUEUE_URL: props.transitionsQueue.queueUrl,
        CAMPAIGNS_DIR,
        EMAILS_DIR,
        SENDS_QUEUE_URL: props.sendsQueue.queueUrl,
        // Experiments: how long after a delivery or click an order counts (`-c conversionWindowHours=72`).
        ...conversionWindow(this),
        ...(props.scoring === undefined
          ? {}
          : {
              MODEL_ENDPOINTS: JSON.stringify(props.scoring.modelEndpoints),
              REALTIME_SCORING_MINUTES: String(props.scoring.minutes),
            }),
        ...(props.catalog === undefined
          ? {}
          : {
              CATALOG_TABLE: props.catalog.table.tableName,
              CATALOG_CHANGES_QUEUE_URL: props.catalog.changesQueue.queueUrl,
            }),
        POWERTOOLS_SERVICE_NAME: INGEST_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      bundledFolders: [props.definitions.bundledFolder, ...props.campaigns.bundledFolders],
    });
    const fn = ingest.function;
    tagLocalName(fn, "AWS::Lambda::Function", LOCAL_NAMES.ingestFunction);
    props.profiles.grantReadWriteData(fn);
    props.quarantineBucket.grantPut(fn);
    props.stream.grantRead(fn);
    props.timers.grantReadWriteData(fn);
    props.segments.grantReadWriteData(fn);
    props.transitionsQueue.grantSendMessages(fn);
    props.sendsQueue.grantSendMessages(fn);
    props.audit.grantAppend(fn);
    props.catalog?.table.grantReadWriteData(fn);
    props.catalog?.changesQueue.grantSendMessages(fn);
    props.watches?.grantRecord(fn);
    if (props.scoring !== undefined) {
      fn.addToRolePolicy(invokeEndpointsStatement(Object.values(props.scoring.modelEndpoints)));
    }
    acknowledgeGrantWildcards(ingest, props.quarantineBucket);

    const deadLetters = new DeadLetterQueue(this, "DeadLetters", { purpose: "the ingest event source" });
    tagLocalName(deadLetters.queue, "AWS::SQS::Queue", LOCAL_NAMES.ingestDeadLetterQueue);
    fn.addEventSource(
      new KinesisEventSource(props.stream, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 500,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 5,
        maxRecordAge: Duration.hours(24),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(deadLetters.queue),
      }),
    );

    this.function = fn;
    this.deadLetterQueue = deadLetters.queue;
    this.alarms = this.createAlarms(props, quarantineThreshold, maxIteratorAge);
  }

  private createAlarms(
    props: IngestProps,
    quarantineThreshold: number,
    maxIteratorAge: Duration,
  ): IngestAlarms {
    const alarm = (
      id: string,
      description: string,
      metric: IMetric,
      threshold: number,
      periods = 1,
    ): IAlarm =>
      notifyingAlarm(this, id, { description, metric, threshold, periods, topic: props.alarmTopic });

    return {
      iteratorAge: alarm(
        "IteratorAgeAlarm",
        `Ingest is more than ${maxIteratorAge.toHumanString()} behind the event stream`,
        props.stream.metricGetRecordsIteratorAgeMilliseconds({
          statistic: "Maximum",
          period: Duration.minutes(1),
        }),
        maxIteratorAge.toMilliseconds(),
        5,
      ),
      quarantined: alarm(
        "QuarantinedAlarm",
        "Malformed events were quarantined: look in the quarantine bucket for the raw records and reasons",
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: "EventsQuarantined",
          dimensionsMap: { service: INGEST_SERVICE_NAME },
          statistic: "Sum",
          period: ALARM_PERIOD,
        }),
        quarantineThreshold,
      ),
      deadLetters: alarm(
        "DeadLettersAlarm",
        "Ingest gave up on stream records: the dead-letter queue holds where to find them",
        this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          statistic: "Maximum",
          period: ALARM_PERIOD,
        }),
        0,
      ),
      errors: alarm(
        "ErrorsAlarm",
        "Ingest invocations failed as a whole",
        this.function.metricErrors({ statistic: "Sum", period: ALARM_PERIOD }),
        0,
      ),
    };
  }
}

/** The wildcards the `grant*()` calls above write, each acknowledged by name on the ingest role alone. */
function acknowledgeGrantWildcards(ingest: ProjectFunction<typeof ingestEnvSchema>, bucket: IBucket): void {
  const acknowledge = (finding: string, reason: string): void =>
    Validations.of(ingest.role).acknowledge({ id: `AwsSolutions-IAM5[${finding}]`, reason });
  const kmsReason =
    "KMS grants for the tables' (audit log included), quarantine's and queues' keys, each scoped to its one key ARN.";
  acknowledge("Action::kms:GenerateDataKey*", kmsReason);
  acknowledge("Action::kms:ReEncrypt*", kmsReason);
  acknowledge(
    "Action::s3:Abort*",
    "grantPut: aborting its own multipart uploads, in the quarantine bucket only.",
  );
  acknowledge(
    `Resource::${arnFinding(bucket, "/*")}`,
    "grantPut: quarantined records are objects whose keys are not known in advance.",
  );
}

/** The context keys ingest reads. */
export const INGEST_CONTEXT_KEYS = ["conversionWindowHours"] as const;

/** The `conversionWindowHours` context setting, when given: the ingest's `CONVERSION_WINDOW_HOURS`. */
function conversionWindow(scope: Construct): { CONVERSION_WINDOW_HOURS?: string } {
  const value: unknown = scope.node.tryGetContext("conversionWindowHours");
  if (value === undefined) return {};
  const hours = Number(value);
  if (!(hours > 0 && hours <= 24 * 90)) {
    throw new InfraConfigError(
      `conversionWindowHours: expected hours from 1 to ${24 * 90} (got ${String(value)})`,
    );
  }
  return { CONVERSION_WINDOW_HOURS: String(hours) };
}
