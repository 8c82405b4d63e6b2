import { fileURLToPath } from "node:url";
import { Duration } from "aws-cdk-lib";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { catalogChangesEnvSchema } from "#functions/catalog-changes/env.js";
import { LOCAL_NAMES } from "../local-names.js";
import type { CampaignDefinitions } from "./campaign-definitions.js";
import { campaignEnvironment } from "./campaign-triggers.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { tagLocalName } from "./local-name.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";
import { ProjectFunction } from "./project-function.js";
import type { RetentionSettings } from "./retention-settings.js";
import type { SegmentDefinitions } from "./segment-definitions.js";
import { acknowledgeKmsGrants } from "./state-machine-support.js";
import { grantTableActions } from "./table-grants.js";
import type { WatchTable } from "./watch-index.js";

const entry = fileURLToPath(new URL("../../functions/catalog-changes/handler.ts", import.meta.url));

/** Service name of the catalog-changes function: its logs' `service` key and its metrics' `service` dimension. */
export const CATALOG_CHANGES_SERVICE_NAME = "catalog-changes";

/** How long one catalog-changes invocation may run: a popular product's watchers are read page by page. */
export const CATALOG_CHANGES_TIMEOUT = Duration.minutes(5);

/** Receives of a catalog change before it goes to the changes queue's dead-letter queue. */
export const CATALOG_CHANGES_MAX_RECEIVES = 5;

/** Props of {@link CatalogTriggers}. */
export interface CatalogTriggersProps {
  /** How long the timers the function writes are kept (their `ttl`). @default the adapters' defaults */
  readonly retention?: RetentionSettings;
  /**
   * The catalog changes queue the catalog writers publish to (`CatalogChangePublisher`; the catalog store's, with
   * its dead-letter queue and alarm).
   */
  readonly changesQueue: IQueue;
  /** The watch index: who viewed or carted a product. */
  readonly watches: WatchTable;
  /** The watchers' profiles (read). */
  readonly profiles: ITable;
  /** The due-time store: delayed steps become send timers. */
  readonly timers: ITable;
  /** Where the send intents due now go. */
  readonly sendsQueue: IQueue;
  readonly segmentDefinitions: SegmentDefinitions;
  readonly campaignDefinitions: CampaignDefinitions;
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
}

/** The alarms of the catalog triggers. */
export interface CatalogTriggersAlarms {
  /** Invocations failed as a whole. */
  readonly errors: IAlarm;
}

/**
 * Catalog-triggered campaigns (back in stock, price drop): `functions/catalog-changes` consumes the catalog
 * changes queue (batches with partial failures), reads each changed product's watchers page by page from the
 * watch index, and hands the journeys' send intents to the sends queue and send timers like every other trigger.
 */
export class CatalogTriggers extends Construct {
  readonly function: IFunction;
  /** The queue consumed. */
  readonly changesQueue: IQueue;
  readonly alarms: CatalogTriggersAlarms;

  constructor(scope: Construct, id: string, props: CatalogTriggersProps) {
    super(scope, id);
    const queue = props.changesQueue;
    this.changesQueue = queue;

    const fn = new ProjectFunction(this, "Function", {
      entry,
      description:
        "Starts back-in-stock and price-drop journeys for the customers who viewed or carted a product",
      timeout: CATALOG_CHANGES_TIMEOUT,
      environmentSchema: catalogChangesEnvSchema,
      environment: {
        ...campaignEnvironment(props),
        PROFILES_TABLE: props.profiles.tableName,
        WATCHES_TABLE: props.watches.table.tableName,
        POWERTOOLS_SERVICE_NAME: CATALOG_CHANGES_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      bundledFolders: [props.segmentDefinitions.bundledFolder, ...props.campaignDefinitions.bundledFolders],
    });
    tagLocalName(fn.function, "AWS::Lambda::Function", LOCAL_NAMES.catalogChangesFunction);
    props.watches.grantReadWatchers(fn.function);
    grantTableActions(props.profiles, fn.function, "read", "BatchGetItem");
    props.timers.grantReadWriteData(fn.function);
    props.sendsQueue.grantSendMessages(fn.function);
    fn.function.addEventSource(
      new SqsEventSource(queue, {
        batchSize: 5,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: 2,
      }),
    );
    acknowledgeKmsGrants(
      fn.role,
      "the watch index's, profile and timers tables' and the sends and changes queues' keys",
    );
    this.function = fn.function;
    this.alarms = {
      errors: notifyingAlarm(this, "ErrorsAlarm", {
        description: "Catalog changes invocations failed: back-in-stock and price-drop emails are late",
        metric: fn.function.metricErrors({ statistic: "Sum", period: ALARM_PERIOD }),
        threshold: 0,
        topic: props.alarmTopic,
      }),
    };
  }
}
