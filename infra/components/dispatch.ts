import { fileURLToPath } from "node:url";
import { ArnFormat, Duration, Stack, Validations } from "aws-cdk-lib";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { dispatchEnvSchema } from "#functions/dispatch/env.js";
import { SEND_CLAIM_LEASE_MS } from "#shared/aws/dynamo-send-ledger.js";
import { LOCAL_NAMES } from "../local-names.js";
import { CAMPAIGNS_DIR, type CampaignDefinitions, EMAILS_DIR } from "./campaign-definitions.js";
import type { CampaignSettings } from "./campaign-settings.js";
import { CONTENT_CACHE_SECONDS, type ContentLibraryStore } from "./content-library.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { invokeEndpointsStatement } from "./invoke-endpoints.js";
import { tagLocalName } from "./local-name.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";
import { ProjectFunction } from "./project-function.js";
import { type RetentionSettings, retentionEnvironment } from "./retention-settings.js";
import { SEGMENTS_DIR, type SegmentDefinitions } from "./segment-definitions.js";
import { grantSmsSend, smsDispatchEnvironment } from "./sms-channel.js";
import type { SmsSettings } from "./sms-settings.js";
import { grantTableActions } from "./table-grants.js";
import { compiledTemplatesHook } from "./templates-file.js";

/** The dispatch function's handler, found from this file, wherever the repository is checked out. */
const dispatchEntry = fileURLToPath(new URL("../../functions/dispatch/handler.ts", import.meta.url));

/** Service name of the dispatch function: its logs' `service` key and its metrics' `service` dimension. */
export const DISPATCH_SERVICE_NAME = "dispatch";

/** How long one dispatch invocation may run: a batch of 10 sends, SES backoff included. */
export const DISPATCH_TIMEOUT = Duration.seconds(60);

/**
 * How long dispatch's ledger claim on a send blocks other attempts (the ledger's default, which dispatch uses):
 * longer than {@link DISPATCH_TIMEOUT}, and with it within the sends queue's visibility timeout (checked there).
 */
export const SEND_CLAIM_LEASE = Duration.millis(SEND_CLAIM_LEASE_MS);

/**
 * Where dispatch finds the templates compiled at bundle time, relative to its working directory (the bundle's
 * root). The function never compiles MJML: without the file it fails at cold start, naming it.
 */
export const TEMPLATES_FILE = "compiled-templates.json";

/** The SES ARNs `ses:SendEmail` is limited to. */
export interface SesSendResources {
  /** The verified identity mail is sent as. */
  readonly identityArn: string;
  /** The configuration set every send names. */
  readonly configurationSetArn: string;
}

/** Props of {@link Dispatch}. */
export interface DispatchProps {
  /** How long the items the function writes are kept (their `ttl`). @default the adapters' defaults */
  readonly retention?: RetentionSettings;
  /** The intents it consumes. */
  readonly sendsQueue: IQueue;
  /** The event stream: holdout decisions are put on it (`Email Held Out`). */
  readonly stream: IStream;
  /** Profiles, read to re-check the policy and render. */
  readonly profiles: ITable;
  /** The send ledger it claims and records in. */
  readonly ledger: ITable;
  /**
   * The content library it reads (a Scan through a cache of `CONTENT_CACHE_SECONDS`).
   * @default - no content library: the emails' `content` lists are empty
   */
  readonly content?: ContentLibraryStore;
  /** The due-time store: deferred sends (quiet hours) become send timers. */
  readonly timers: ITable;
  /** The segment bookkeeping table (named in the environment the segment code shares). */
  readonly segments: ITable;
  /** The transitions queue (named in the environment the segment code shares). */
  readonly transitionsQueue: IQueue;
  /** The HMAC key of signed links. */
  readonly linkSecret: ISecret;
  /** Base URL of the HTTP API serving the unsubscribe and preference pages. */
  readonly publicApiUrl: string;
  readonly segmentDefinitions: SegmentDefinitions;
  readonly campaignDefinitions: CampaignDefinitions;
  readonly settings: CampaignSettings;
  /** The configuration set's name. */
  readonly configurationSetName: string;
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
  /** The catalog table it reads products and best sellers from, and how old what it read may be. */
  readonly catalog: { readonly table: ITable; readonly cacheSeconds: number };
  /** The SMS channel (`-c sms=on`). @default - off: SMS steps are skipped, saying so */
  readonly sms?: SmsSettings;
}

/**
 * Dispatch: the function that consumes the sends queue (batches of 10, partial batch failures, at most
 * `dispatchMaxConcurrency` instances so the SES send rate is shared predictably), re-checks the policy,
 * renders, records in the ledger and sends through SES v2. It may send only as the configured identity and
 * only with the configuration set.
 */
export class Dispatch extends Construct {
  /** The function. */
  readonly function: IFunction;
  /** Invocations failed as a whole. */
  readonly errorsAlarm: IAlarm;
  /** The ARNs `ses:SendEmail` is limited to. */
  readonly sesResources: SesSendResources;

  constructor(scope: Construct, id: string, props: DispatchProps) {
    super(scope, id);
    const { settings } = props;
    const dispatch = new ProjectFunction(this, "Function", {
      entry: dispatchEntry,
      description:
        "Sends campaign emails: re-checks the policy, renders, records in the ledger, sends with SES",
      timeout: DISPATCH_TIMEOUT,
      environmentSchema: dispatchEnvSchema,
      environment: {
        PROFILES_TABLE: props.profiles.tableName,
        LEDGER_TABLE: props.ledger.tableName,
        SEGMENTS_DIR,
        TIMERS_TABLE: props.timers.tableName,
        ...retentionEnvironment(props.retention, "ledger", "timers"),
        SEGMENTS_TABLE: props.segments.tableName,
        TRANSITIONS_QUEUE_URL: props.transitionsQueue.queueUrl,
        CAMPAIGNS_DIR,
        EMAILS_DIR,
        SENDS_QUEUE_URL: props.sendsQueue.queueUrl,
        EVENTS_STREAM: props.stream.streamName,
        TEMPLATES_FILE,
        FROM_ADDRESS: settings.fromAddress,
        SES_CONFIGURATION_SET: props.configurationSetName,
        SEND_RATE_PER_SECOND: String(settings.sendRatePerInstance),
        PUBLIC_API_URL: props.publicApiUrl,
        LINK_SECRET_ARN: props.linkSecret.secretArn,
        SHOP_NAME: settings.shopName,
        SHOP_URL: settings.shopUrl,
        SHOP_LOGO_URL: settings.shopLogoUrl,
        SHOP_POSTAL_ADDRESS: settings.shopPostalAddress,
        CATALOG_TABLE: props.catalog.table.tableName,
        CATALOG_CACHE_SECONDS: String(props.catalog.cacheSeconds),
        ...(settings.recommenderEndpoint === undefined
          ? {}
          : { RECOMMENDER_ENDPOINT: settings.recommenderEndpoint }),
        ...(props.content === undefined
          ? {}
          : {
              CONTENT_TABLE: props.content.table.tableName,
              CONTENT_CACHE_SECONDS: String(CONTENT_CACHE_SECONDS),
            }),
        ...smsDispatchEnvironment(props.sms),
        POWERTOOLS_SERVICE_NAME: DISPATCH_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      bundledFolders: [props.segmentDefinitions.bundledFolder, ...props.campaignDefinitions.bundledFolders],
      // The templates of the campaign definitions, compiled into the bundle where TEMPLATES_FILE points.
      afterBundling: compiledTemplatesHook(props.campaignDefinitions.templatesDir, TEMPLATES_FILE),
    });
    const fn = dispatch.function;
    tagLocalName(fn, "AWS::Lambda::Function", LOCAL_NAMES.dispatchFunction);
    props.profiles.grantReadData(fn);
    props.catalog.table.grantReadData(fn);
    props.ledger.grantReadWriteData(fn);
    props.timers.grantReadWriteData(fn);
    // Experiment counters (sends and holdouts per campaign arm) live in the segment bookkeeping table.
    // Experiment counters: one PutItem per send, keyed by its send key; campaign outcomes per day: UpdateItem (ADD).
    grantTableActions(props.segments, fn, "write", "PutItem", "UpdateItem");
    // The learned open-hour prior of best-time sends: one GetItem per container every 10 minutes.
    grantTableActions(props.segments, fn, "read", "GetItem");
    props.linkSecret.grantRead(fn);
    props.stream.grantWrite(fn);
    props.content?.grantReadAll(fn);

    const stack = Stack.of(this);
    this.sesResources = {
      identityArn: stack.formatArn({
        service: "ses",
        resource: "identity",
        resourceName: settings.sendingIdentity,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
      configurationSetArn: stack.formatArn({
        service: "ses",
        resource: "configuration-set",
        resourceName: props.configurationSetName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      }),
    };
    // SES v2 authorises a send against both the identity and the configuration set it names.
    dispatch.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["ses:SendEmail"],
        resources: [this.sesResources.identityArn, this.sesResources.configurationSetArn],
      }),
    );
    if (props.sms !== undefined) {
      const configurationSetArn = stack.formatArn({
        service: "sms-voice",
        resource: "configuration-set",
        resourceName: props.sms.configurationSetName,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
      grantSmsSend(dispatch.role, props.profiles, props.sms, configurationSetArn);
    }
    if (settings.recommenderEndpoint !== undefined) {
      dispatch.role.addToPrincipalPolicy(invokeEndpointsStatement([settings.recommenderEndpoint]));
    }
    acknowledgeGrantWildcards(dispatch);

    fn.addEventSource(
      new SqsEventSource(props.sendsQueue, {
        batchSize: 10,
        // No batching window: an email due now goes as soon as it is queued (event-to-inbox latency).
        maxBatchingWindow: Duration.seconds(0),
        reportBatchItemFailures: true,
        maxConcurrency: settings.dispatchMaxConcurrency,
      }),
    );

    this.function = fn;
    this.errorsAlarm = notifyingAlarm(this, "ErrorsAlarm", {
      description: "Dispatch invocations failed as a whole: campaign emails are late",
      metric: fn.metricErrors({ statistic: "Sum", period: ALARM_PERIOD }),
      threshold: 0,
      topic: props.alarmTopic,
    });
  }
}

/** The wildcards the `grant*()` calls above write, each acknowledged by name on this function's role alone. */
function acknowledgeGrantWildcards(dispatch: ProjectFunction<typeof dispatchEnvSchema>): void {
  const reason = "KMS grants for the tables' and the sends queue's keys, each scoped to its one key ARN.";
  for (const action of ["kms:GenerateDataKey*", "kms:ReEncrypt*"]) {
    Validations.of(dispatch.role).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
  }
}
