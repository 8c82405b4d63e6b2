import { fileURLToPath } from "node:url";
import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import { AttributeType, type ITable, ProjectionType } from "aws-cdk-lib/aws-dynamodb";
import { type IKey, Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { Bucket, EventType, type IBucket } from "aws-cdk-lib/aws-s3";
import { LambdaDestination } from "aws-cdk-lib/aws-s3-notifications";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { type IQueue, Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct, type IConstruct } from "constructs";
import { catalogImportEnvSchema } from "#functions/catalog-import/env.js";
import { CHECKPOINTS_PREFIX, FEEDS_PREFIX } from "#shared/app/catalog-feed/feed-location.js";
import { CATALOG_INDEXES } from "#shared/aws/dynamo-catalog.js";
import { LOCAL_NAMES } from "../local-names.js";
import type { CatalogSettings } from "./catalog-settings.js";
import { CATALOG_CHANGES_MAX_RECEIVES, CATALOG_CHANGES_TIMEOUT } from "./catalog-triggers.js";
import { DeadLetterQueue } from "./dead-letter-queue.js";
import { createEncryptedTable } from "./encrypted-table.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { tagLocalName } from "./local-name.js";
import { arnFinding } from "./nag-findings.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";
import { privateBucketProps } from "./private-bucket.js";
import { ProjectFunction } from "./project-function.js";

const importEntry = fileURLToPath(new URL("../../functions/catalog-import/handler.ts", import.meta.url));

/** Service name of the catalog-import function. */
export const CATALOG_IMPORT_SERVICE_NAME = "catalog-import";

/**
 * One import invocation's limit: Lambda's maximum. A feed that needs longer continues from a checkpoint in the
 * next invocation (see `importFeedObject`); a million products take about 5 minutes (docs/catalog.md).
 */
export const CATALOG_IMPORT_TIMEOUT = Duration.minutes(15);

/**
 * The cdk-nag findings of the grants the catalog's functions hold, each scoped: the table's two indexes (the
 * grantees read best sellers there), the feed bucket's two prefixes, and the wildcard actions `grant*()` writes.
 * The S3 notifications' handler (the CDK's own custom resource) runs with the AWS managed basic execution role.
 */
function acknowledgeImportGrants(role: IConstruct, bucket: IConstruct, table: IConstruct): void {
  const stack = Stack.of(bucket);
  Validations.of(stack).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${arnFinding(table, "/index/*")}]`,
    reason:
      "The catalog table's indexes are its two best-seller indexes, over products the grantees may read anyway.",
  });
  for (const prefix of [FEEDS_PREFIX, CHECKPOINTS_PREFIX]) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${arnFinding(bucket, `/${prefix}*`)}]`,
      reason: `Feeds and checkpoints are named by whoever drops them: the grant is limited to ${prefix}.`,
    });
  }
  const actions = [
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
    "s3:GetBucket*",
    "s3:GetObject*",
    "s3:List*",
    "s3:Abort*",
  ];
  for (const action of actions) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Action::${action}]`,
      reason:
        "grantRead/grantPut/grantReadWriteData on the feed bucket, its key and the table, each on one resource.",
    });
  }
  for (const child of stack.node.children) {
    if (child.node.id.startsWith("BucketNotificationsHandler")) {
      Validations.of(child).acknowledge({
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        reason:
          "The CDK's own handler that configures S3 bucket notifications at deploy time (not our code).",
      });
    }
  }
}

/** Props of {@link CatalogStore}. */
export interface CatalogStoreProps {
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
  /** The catalog settings, resolved. */
  readonly settings: CatalogSettings;
  /** The bucket the feed bucket's server access logs go to. */
  readonly accessLogsBucket: IBucket;
}

/** The alarms of the catalog. */
export interface CatalogStoreAlarms {
  /** Feed imports failed (a broken feed object, an outage). */
  readonly importErrors: IAlarm;
  /** Imports gave up on after their retry: the failures queue holds their events. */
  readonly importFailures: IAlarm;
  /** Catalog changes nobody consumed: the changes dead-letter queue holds them. */
  readonly changesDeadLetters: IAlarm;
}

/**
 * The shop's catalog: a DynamoDB table of products (partition `pk` = product id, sort `sk`; encrypted with a key
 * of its own, PITR, retained) with two sparse indexes of best sellers (only available products carry their
 * keys, so best sellers are a Query); the catalog changes queue (price drops, back in stock: SQS, encrypted, with
 * a dead-letter queue and an alarm) that imports and product events publish to; and the private feed bucket, where
 * an object created under `feeds/` starts the import function (and one under `checkpoints/` resumes a long import).
 */
export class CatalogStore extends Construct {
  /** The catalog table. */
  readonly table: ITable;
  /** The customer-managed key of the table. */
  readonly key: IKey;
  /** The catalog changes queue: what the catalog triggers consume. */
  readonly changesQueue: IQueue;
  /** Where changes consumers keep failing on end up. */
  readonly changesDeadLetterQueue: IQueue;
  /** Where imports are dropped: `feeds/…`. */
  readonly feedBucket: IBucket;
  /** The import function. */
  readonly importFunction: IFunction;
  /** Where failed import invocations end up (after one retry). */
  readonly importFailuresQueue: IQueue;
  readonly alarms: CatalogStoreAlarms;

  constructor(scope: Construct, id: string, props: CatalogStoreProps) {
    super(scope, id);
    const { table, key } = createEncryptedTable(this, {
      purpose: "catalog",
      partitionKey: "pk",
      sortKey: "sk",
      localName: LOCAL_NAMES.catalogTable,
    });
    for (const index of [CATALOG_INDEXES.all, CATALOG_INDEXES.category]) {
      table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partition, type: AttributeType.STRING },
        sortKey: { name: index.sort, type: AttributeType.STRING },
        // The product itself: a best-seller Query needs no second read.
        projectionType: ProjectionType.ALL,
      });
    }
    this.table = table;
    this.key = key;

    const changesDeadLetters = new DeadLetterQueue(this, "ChangesDeadLetters", {
      purpose: "the catalog changes queue",
    });
    tagLocalName(changesDeadLetters.queue, "AWS::SQS::Queue", LOCAL_NAMES.catalogChangesDeadLetterQueue);
    this.changesDeadLetterQueue = changesDeadLetters.queue;
    const changesKey = new Key(this, "ChangesKey", {
      description: "Encrypts the Tailor catalog changes queue",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const changes = new Queue(this, "ChangesQueue", {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: changesKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      // Six times the consumer's timeout (functions/catalog-changes), as Lambda advises for SQS event sources.
      visibilityTimeout: Duration.seconds(6 * CATALOG_CHANGES_TIMEOUT.toSeconds()),
      deadLetterQueue: { queue: changesDeadLetters.queue, maxReceiveCount: CATALOG_CHANGES_MAX_RECEIVES },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    tagLocalName(changes, "AWS::SQS::Queue", LOCAL_NAMES.catalogChangesQueue);
    this.changesQueue = changes;

    const bucketKey = new Key(this, "FeedKey", {
      description: "Encrypts the Tailor catalog feed bucket",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const bucket = new Bucket(this, "FeedBucket", {
      ...privateBucketProps(bucketKey),
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: "catalog-feeds/",
      lifecycleRules: [
        {
          noncurrentVersionExpiration: Duration.days(30),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
        { prefix: CHECKPOINTS_PREFIX, expiration: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    tagLocalName(bucket, "AWS::S3::Bucket", LOCAL_NAMES.catalogFeedBucket);
    this.feedBucket = bucket;

    const failures = new DeadLetterQueue(this, "ImportFailures", { purpose: "the catalog import function" });
    tagLocalName(failures.queue, "AWS::SQS::Queue", LOCAL_NAMES.catalogImportFailuresQueue);
    this.importFailuresQueue = failures.queue;

    const importer = new ProjectFunction(this, "ImportFunction", {
      entry: importEntry,
      description: "Imports a catalog feed dropped into the feed bucket: upserts changes, retires what left",
      timeout: CATALOG_IMPORT_TIMEOUT,
      // Memory buys CPU (parsing, hashing) and holds the import's index (about 60 bytes per product).
      memorySize: 2048,
      environmentSchema: catalogImportEnvSchema,
      environment: {
        CATALOG_TABLE: table.tableName,
        FEED_BUCKET: bucket.bucketName,
        CATALOG_CHANGES_QUEUE_URL: changes.queueUrl,
        MAX_RETIRE_SHARE: String(props.settings.maxRetireShare),
        POWERTOOLS_SERVICE_NAME: CATALOG_IMPORT_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    const fn = importer.function;
    tagLocalName(fn, "AWS::Lambda::Function", LOCAL_NAMES.catalogImportFunction);
    table.grantReadWriteData(fn);
    bucket.grantRead(fn, `${FEEDS_PREFIX}*`);
    bucket.grantRead(fn, `${CHECKPOINTS_PREFIX}*`);
    bucket.grantPut(fn, `${CHECKPOINTS_PREFIX}*`);
    changes.grantSendMessages(fn);
    fn.configureAsyncInvoke({ retryAttempts: 1, onFailure: new SqsDestination(failures.queue) });
    const destination = new LambdaDestination(fn);
    bucket.addEventNotification(EventType.OBJECT_CREATED, destination, { prefix: FEEDS_PREFIX });
    bucket.addEventNotification(EventType.OBJECT_CREATED, destination, { prefix: CHECKPOINTS_PREFIX });
    acknowledgeImportGrants(importer.role, bucket, table);
    this.importFunction = fn;

    this.alarms = {
      importErrors: notifyingAlarm(this, "ImportErrorsAlarm", {
        description: "Catalog feed imports failed: the catalog table may be behind the shop's feed",
        metric: fn.metricErrors({ statistic: "Sum", period: ALARM_PERIOD }),
        threshold: 0,
        topic: props.alarmTopic,
      }),
      importFailures: failures.alarmWhenNotEmpty(
        this,
        "ImportFailuresAlarm",
        "Catalog feed imports failed twice: the import failures queue holds their S3 events",
        props.alarmTopic,
      ),
      changesDeadLetters: changesDeadLetters.alarmWhenNotEmpty(
        this,
        "ChangesDeadLettersAlarm",
        "Catalog changes (price drops, back in stock) were never consumed: the changes dead-letter queue holds them",
        props.alarmTopic,
      ),
    };
  }

  /**
   * Lets `fn` read the catalog (dispatch): the table and its indexes, and the key's decrypt.
   */
  grantRead(fn: IFunction): void {
    this.table.grantReadData(fn);
  }

  /** Lets `fn` write the catalog and publish changes (ingest, for `Product Updated` events). */
  grantWrite(fn: IFunction): void {
    this.table.grantReadWriteData(fn);
    this.changesQueue.grantSendMessages(fn);
  }
}
