import { fileURLToPath } from "node:url";
import { ArnFormat, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { type IAlarm, MathExpression, Metric } from "aws-cdk-lib/aws-cloudwatch";
import {
  Database,
  DataFormat,
  type IDatabase,
  PartitionProjectionConfiguration,
  S3Table,
  S3TableStorage,
  Schema,
} from "aws-cdk-lib/aws-glue";
import { Effect, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import { CfnDeliveryStream } from "aws-cdk-lib/aws-kinesisfirehose";
import { type IKey, Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { LogGroup, LogStream, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Bucket, type IBucket, type LifecycleRule, StorageClass } from "aws-cdk-lib/aws-s3";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Construct } from "constructs";
import { archiveEnvSchema } from "#functions/archive/env.js";
import { ARCHIVE_PREFIX } from "#shared/domain/events/archived-record.js";
import { ARCHIVE_FAILED_METRIC } from "#shared/lambda/reports/archive-report.js";
import { LOCAL_NAMES } from "../local-names.js";
import { pipelineMetric } from "./delivery-alarms.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { tagLocalName } from "./local-name.js";
import { arnFinding } from "./nag-findings.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";
import { privateBucketProps } from "./private-bucket.js";
import { ProjectFunction } from "./project-function.js";

/** The transform's handler, found from this file, wherever the repository is checked out. */
const archiveEntry = fileURLToPath(new URL("../../functions/archive/handler.ts", import.meta.url));

/** Service name of the archive transform: its logs' `service` key and its metrics' `service` dimension. */
export const ARCHIVE_SERVICE_NAME = "archive";

/**
 * Where Firehose writes the archive: one prefix per hour, Hive-style (`year=2026/month=12/…`), the hour of the
 * oldest record's arrival in each object; the Glue table's partition projection reads the same layout.
 */
export const ARCHIVE_S3_PREFIX =
  `${ARCHIVE_PREFIX}year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/` as const;

/** The partitions' path under the prefix, in Athena's `storage.location.template` placeholders. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Athena's placeholders, not JavaScript's
export const ARCHIVE_PARTITION_TEMPLATE = "year=${year}/month=${month}/day=${day}/hour=${hour}/";

/** Where Firehose writes what it could not transform or deliver, raw, by failure kind and hour. */
export const ARCHIVE_ERROR_PREFIX =
  "errors/!{firehose:error-output-type}/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/";

/**
 * Firehose's delivery buffer: an object every 5 MB or 300 s, whichever comes first. Larger objects are cheaper
 * to store, list and scan; 300 s bounds how stale the archive is (and how much a replay may have to wait for).
 */
export const ARCHIVE_BUFFERING = { sizeInMBs: 5, intervalInSeconds: 300 } as const;

/**
 * The transform's input per invocation: 1 MB of records. Each comes back about 1.9 times larger (a JSON line
 * around its base64, base64 again), well inside Lambda's 6 MB response limit.
 */
const PROCESSOR_BUFFER_MB = 1;

/** Objects move to Standard-IA after this many days, when they are kept long enough for it to pay. */
const INFREQUENT_ACCESS_AFTER_DAYS = 30;

/**
 * The archive bucket's lifecycle: objects expire `days` after they were written (older versions after 30 days),
 * and move to Standard-IA after 30 days when they are kept long enough for it to pay: Standard-IA bills 30 days
 * at least. (S3 does not move objects under 128 KB, a quiet shop's, which stay in Standard.)
 */
export function archiveLifecycleRule(days: number): LifecycleRule {
  return {
    expiration: Duration.days(days),
    noncurrentVersionExpiration: Duration.days(30),
    abortIncompleteMultipartUploadAfter: Duration.days(1),
    transitions:
      days >= 2 * INFREQUENT_ACCESS_AFTER_DAYS
        ? [
            {
              storageClass: StorageClass.INFREQUENT_ACCESS,
              transitionAfter: Duration.days(INFREQUENT_ACCESS_AFTER_DAYS),
            },
          ]
        : undefined,
  };
}

/** Props of {@link EventArchive}. */
export interface EventArchiveProps {
  /** The stream archived, every record of it. */
  readonly stream: IStream;
  /** Days an archived object is kept (`archiveRetentionDays`). */
  readonly retentionDays: number;
  /** The bucket receiving the archive bucket's server access logs (under `archive/`). */
  readonly accessLogsBucket: IBucket;
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
}

/** The alarms of the archive. */
export interface EventArchiveAlarms {
  /** Records wait in Firehose much longer than its buffer: delivery to S3 is failing or behind. */
  readonly freshness: IAlarm;
  /** Deliveries to S3 failed (Firehose retries them, then files the records under the error prefix). */
  readonly delivery: IAlarm;
  /** The transform failed as a whole (Firehose retries, then files the batch under the error prefix). */
  readonly transformErrors: IAlarm;
  /** Records the transform could not wrap, filed raw under the error prefix. */
  readonly failedRecords: IAlarm;
}

/**
 * The raw event archive: every record of the event stream, as it arrived, in S3 for as long as the settings say.
 * A Firehose delivery stream reads the event stream (a consumer of its own, beside ingest), has the transform
 * wrap each user record (KPL aggregates de-aggregated by Firehose) as one JSON line with its stream position and
 * arrival, and writes gzip objects under one prefix per hour, KMS-encrypted; what it cannot transform or deliver
 * goes raw under `errors/`. A Glue table over the prefix (JSON, partition projection on the hour) lets Athena
 * query it without a crawler; `tailor replay` and training read the same objects.
 */
export class EventArchive extends Construct {
  /** The archive bucket. */
  readonly bucket: IBucket;
  /** The key the archive is encrypted with (Athena readers need `kms:Decrypt` on it). */
  readonly key: IKey;
  /** The Firehose delivery stream. */
  readonly deliveryStream: CfnDeliveryStream;
  /** The transform function. */
  readonly function: IFunction;
  /** The Glue database of the archive table. */
  readonly database: IDatabase;
  /** The Glue table over the archive. */
  readonly table: S3Table;
  /** The archive's alarms, all notifying the alarm topic. */
  readonly alarms: EventArchiveAlarms;
  /** Records the transform could not wrap (filed raw under `errors/`), per 5 minutes. */
  readonly failedRecords = pipelineMetric(ARCHIVE_SERVICE_NAME, ARCHIVE_FAILED_METRIC);

  constructor(scope: Construct, id: string, props: EventArchiveProps) {
    super(scope, id);
    this.key = new Key(this, "Key", {
      description: "Encrypts the Tailor raw event archive",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = this.createBucket(props);

    const transform = new ProjectFunction(this, "Transform", {
      entry: archiveEntry,
      description: "Firehose transform: wraps each event stream record as one line of the raw event archive",
      memorySize: 512,
      timeout: Duration.seconds(60),
      environmentSchema: archiveEnvSchema,
      environment: {
        POWERTOOLS_SERVICE_NAME: ARCHIVE_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    tagLocalName(transform.function, "AWS::Lambda::Function", LOCAL_NAMES.archiveFunction);
    this.function = transform.function;

    this.deliveryStream = this.createDeliveryStream(props.stream);
    ({ database: this.database, table: this.table } = this.createTable());
    this.alarms = this.createAlarms(props.alarmTopic);
  }

  private createBucket(props: EventArchiveProps): IBucket {
    // Firehose only adds objects; versions keep an accidental overwrite or delete recoverable for a while.
    const bucket = new Bucket(this, "Bucket", {
      ...privateBucketProps(this.key),
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: "archive/",
      lifecycleRules: [archiveLifecycleRule(props.retentionDays)],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    tagLocalName(bucket, "AWS::S3::Bucket", LOCAL_NAMES.archiveBucket);
    return bucket;
  }

  private createDeliveryStream(stream: IStream): CfnDeliveryStream {
    const logGroup = new LogGroup(this, "DeliveryLogs", {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logStream = new LogStream(this, "DeliveryLogStream", {
      logGroup,
      logStreamName: "DestinationDelivery",
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The L1 delivery stream with a role of its own: the L2 grants its role read and write (delete included) on
    // the bucket; Firehose needs to put objects, and only AWS's documented list besides.
    const role = new Role(this, "DeliveryRole", {
      // Firehose passes the account as the external id (its guide's trust policy): no other account's stream uses it.
      assumedBy: new ServicePrincipal("firehose.amazonaws.com", {
        conditions: { StringEquals: { "sts:ExternalId": Stack.of(this).account } },
      }),
      description: "Firehose: reads the event stream, invokes the archive transform, writes the archive",
    });
    stream.grantRead(role);
    role.addToPolicy(
      new PolicyStatement({
        actions: [
          "s3:AbortMultipartUpload",
          "s3:GetBucketLocation",
          "s3:GetObject",
          "s3:ListBucket",
          "s3:ListBucketMultipartUploads",
          "s3:PutObject",
        ],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects("*")],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ["kms:GenerateDataKey", "kms:Decrypt"],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { "kms:ViaService": `s3.${Stack.of(this).region}.amazonaws.com` } },
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        actions: ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
        resources: [this.function.functionArn],
      }),
    );
    role.addToPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["logs:PutLogEvents"],
        resources: [
          Stack.of(this).formatArn({
            service: "logs",
            resource: "log-group",
            resourceName: `${logGroup.logGroupName}:log-stream:${logStream.logStreamName}`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arnFinding(this.bucket, "/*")}]`,
      reason:
        "Firehose writes one object per buffer, under keys it names from the time: not known in advance.",
    });

    const deliveryStream = new CfnDeliveryStream(this, "DeliveryStream", {
      deliveryStreamType: "KinesisStreamAsSource",
      kinesisStreamSourceConfiguration: { kinesisStreamArn: stream.streamArn, roleArn: role.roleArn },
      extendedS3DestinationConfiguration: {
        bucketArn: this.bucket.bucketArn,
        roleArn: role.roleArn,
        prefix: ARCHIVE_S3_PREFIX,
        errorOutputPrefix: ARCHIVE_ERROR_PREFIX,
        compressionFormat: "GZIP",
        bufferingHints: ARCHIVE_BUFFERING,
        encryptionConfiguration: { kmsEncryptionConfig: { awskmsKeyArn: this.key.keyArn } },
        cloudWatchLoggingOptions: {
          enabled: true,
          logGroupName: logGroup.logGroupName,
          logStreamName: logStream.logStreamName,
        },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: "Lambda",
              parameters: [
                { parameterName: "LambdaArn", parameterValue: this.function.functionArn },
                { parameterName: "BufferSizeInMBs", parameterValue: String(PROCESSOR_BUFFER_MB) },
                { parameterName: "BufferIntervalInSeconds", parameterValue: "60" },
                { parameterName: "NumberOfRetries", parameterValue: "3" },
              ],
            },
          ],
        },
      },
    });
    // Firehose checks its role's access to the stream when the delivery stream is created.
    deliveryStream.node.addDependency(role);
    Validations.of(deliveryStream).acknowledge({
      id: "AwsSolutions-KDF1",
      reason:
        "A delivery stream reading a Kinesis stream cannot take server-side encryption itself: the source stream " +
        "is encrypted with its own key, the archive objects with the archive's key.",
    });
    tagLocalName(deliveryStream, "AWS::KinesisFirehose::DeliveryStream", LOCAL_NAMES.archiveDeliveryStream);
    return deliveryStream;
  }

  private createTable(): { database: IDatabase; table: S3Table } {
    const database = new Database(this, "Database", {
      description: "Tailor's raw event archive (Athena)",
    });
    // Two digits, as the prefix writes them (`month=03`); the years from the first deploy on.
    const twoDigits = (min: number, max: number) =>
      PartitionProjectionConfiguration.integer({ min, max, digits: 2 });
    const table = new S3Table(this, "Table", {
      database,
      description:
        "One line per event stream record: its bytes in base64 (`data`), where and when it arrived",
      storage: S3TableStorage.fromBucket(this.bucket),
      s3Prefix: ARCHIVE_PREFIX,
      dataFormat: DataFormat.JSON,
      compressed: true,
      // SSE-KMS: S3 decrypts for Athena; `has_encrypted_data` is for client-side encryption, which this is not.
      hasEncryptedData: false,
      columns: [
        { name: "v", type: Schema.INTEGER, comment: "the line format's version" },
        { name: "shardid", type: Schema.STRING },
        { name: "partitionkey", type: Schema.STRING },
        { name: "sequencenumber", type: Schema.STRING },
        { name: "subsequencenumber", type: Schema.INTEGER, comment: "position in a KPL aggregate" },
        {
          name: "arrivedat",
          type: Schema.STRING,
          comment: "ISO 8601 UTC: from_iso8601_timestamp(arrivedat)",
        },
        { name: "data", type: Schema.STRING, comment: "the record's bytes, base64: from_base64(data)" },
      ],
      partitionKeys: [
        { name: "year", type: Schema.STRING },
        { name: "month", type: Schema.STRING },
        { name: "day", type: Schema.STRING },
        { name: "hour", type: Schema.STRING },
      ],
      partitionProjection: {
        year: PartitionProjectionConfiguration.integer({ min: 2026, max: 2100 }),
        month: twoDigits(1, 12),
        day: twoDigits(1, 31),
        hour: twoDigits(0, 23),
      },
      parameters: {
        "storage.location.template": `s3://${this.bucket.bucketName}/${ARCHIVE_PREFIX}${ARCHIVE_PARTITION_TEMPLATE}`,
      },
    });
    return { database, table };
  }

  /** A metric of the delivery stream (`AWS/Firehose`), over the alarms' 5-minute period. */
  firehoseMetric(metricName: string, statistic: string, label?: string): Metric {
    return new Metric({
      namespace: "AWS/Firehose",
      metricName,
      dimensionsMap: { DeliveryStreamName: this.deliveryStream.ref },
      statistic,
      period: ALARM_PERIOD,
      ...(label === undefined ? {} : { label }),
    });
  }

  private createAlarms(topic: ITopic): EventArchiveAlarms {
    const firehose = (metricName: string, statistic: string) => this.firehoseMetric(metricName, statistic);
    const staleSeconds = 3 * ARCHIVE_BUFFERING.intervalInSeconds;
    return {
      freshness: notifyingAlarm(this, "FreshnessAlarm", {
        description:
          `The archive is more than ${staleSeconds / 60} minutes behind the stream: Firehose cannot deliver ` +
          "to S3 (see its DestinationDelivery logs); records wait in the stream meanwhile",
        metric: firehose("DeliveryToS3.DataFreshness", "Maximum"),
        threshold: staleSeconds,
        periods: 2,
        topic,
      }),
      delivery: notifyingAlarm(this, "DeliveryAlarm", {
        description:
          "Firehose deliveries to the archive bucket failed: it retries, then writes the records under errors/",
        metric: new MathExpression({
          expression: "1 - success",
          usingMetrics: { success: firehose("DeliveryToS3.Success", "Average") },
          label: "failed share of S3 deliveries",
          period: ALARM_PERIOD,
        }),
        threshold: 0,
        topic,
      }),
      transformErrors: notifyingAlarm(this, "TransformErrorsAlarm", {
        description:
          "The archive transform failed as a whole: Firehose retries, then writes the batch under errors/",
        metric: this.function.metricErrors({ statistic: "Sum", period: ALARM_PERIOD }),
        threshold: 0,
        topic,
      }),
      failedRecords: notifyingAlarm(this, "FailedRecordsAlarm", {
        description:
          "Stream records could not be archived as lines: they are raw under errors/processing-failed/ (the " +
          "transform's logs say why)",
        metric: this.failedRecords,
        threshold: 0,
        topic,
      }),
    };
  }
}
