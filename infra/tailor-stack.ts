import { CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";
import { PROPENSITY_MODELS } from "#shared/domain/models/registry.js";
import { type AlarmSettingsInput, resolveAlarmDestination } from "./components/alarm-settings.js";
import { AlarmTopic } from "./components/alarm-topic.js";
import {
  type ApiSettingsInput,
  resolveApiCorsOrigins,
  resolveApiReservedConcurrency,
  resolveContentMaxAgeSeconds,
} from "./components/api-settings.js";
import { AuditStore } from "./components/audit-store.js";
import { CampaignDefinitions } from "./components/campaign-definitions.js";
import { CampaignFanOut } from "./components/campaign-fanout.js";
import {
  type CampaignSettings,
  type CampaignSettingsInput,
  resolveCampaignSettings,
} from "./components/campaign-settings.js";
import { CAMPAIGN_TRANSITIONS_TIMEOUT, CampaignTriggers } from "./components/campaign-triggers.js";
import { type CatalogSettingsInput, resolveCatalogSettings } from "./components/catalog-settings.js";
import { CatalogStore } from "./components/catalog-store.js";
import { CatalogTriggers } from "./components/catalog-triggers.js";
import { TailorConsole } from "./components/console.js";
import { type ConsoleSettingsInput, resolveConsoleSettings } from "./components/console-settings.js";
import { ContentImport } from "./components/content-import.js";
import { ContentLibraryStore } from "./components/content-library.js";
import { PipelineDashboard } from "./components/dashboard.js";
import { DataQualityAlarms } from "./components/data-quality.js";
import { DeliveryAlarms } from "./components/delivery-alarms.js";
import { DISPATCH_TIMEOUT, Dispatch, SEND_CLAIM_LEASE } from "./components/dispatch.js";
import { addDoctorOutputs } from "./components/doctor-outputs.js";
import { dryRunOutputs } from "./components/dry-run-outputs.js";
import { EventArchive } from "./components/event-archive.js";
import { EventStream } from "./components/event-stream.js";
import { type FanOutSettingsInput, resolveFanOutSettings } from "./components/fanout-settings.js";
import { PublicApi } from "./components/http-api.js";
import { Ingest } from "./components/ingest.js";
import {
  type LinkKeySettings,
  type LinkKeySettingsInput,
  resolveLinkKeySettings,
} from "./components/link-key-settings.js";
import { LinkSecret } from "./components/link-secret.js";
import { ModelDrift } from "./components/model-drift.js";
import { ModelEndpoints } from "./components/model-endpoints.js";
import { type ModelSettingsInput, resolveModelSettings } from "./components/model-settings.js";
import { ModelStore } from "./components/model-store.js";
import { ModelTraining } from "./components/model-training.js";
import { ProfileStore } from "./components/profile-store.js";
import { Quarantine } from "./components/quarantine.js";
import {
  checkRescoreConcurrency,
  Rescoring,
  type RescoringSettingsInput,
  resolveRescoringSettings,
} from "./components/rescoring.js";
import {
  type RetentionSettings,
  type RetentionSettingsInput,
  resolveRetentionSettings,
} from "./components/retention-settings.js";
import { SegmentDefinitions } from "./components/segment-definitions.js";
import { SegmentJobs } from "./components/segment-jobs.js";
import { SegmentStore } from "./components/segment-store.js";
import { SegmentTimers } from "./components/segment-timers.js";
import { SendLedger } from "./components/send-ledger.js";
import { SendQueue } from "./components/send-queue.js";
import { SesFeedback } from "./components/ses-feedback.js";
import { checkSettingKeys, requireSettings } from "./components/setting-keys.js";
import { SmsFeedback } from "./components/sms-channel.js";
import { resolveSmsSettings, type SmsSettingsInput } from "./components/sms-settings.js";
import { resolveStreamSettings, type StreamSettingsInput } from "./components/stream-settings.js";
import { TimerStore } from "./components/timer-store.js";
import { TransitionsQueue } from "./components/transitions-queue.js";
import { WatchIndexStore } from "./components/watch-index.js";
import { WriteKeyStore } from "./components/write-key-store.js";
import {
  ARCHIVE_OUTPUTS,
  FANOUT_OUTPUTS,
  MODEL_OUTPUTS,
  RECOMMENDER_MODEL,
  SEGMENT_JOBS_OUTPUT,
} from "./stack-output-names.js";

/** Props of {@link TailorStack}. */
export interface TailorStackProps
  extends StackProps,
    CampaignSettingsInput,
    ApiSettingsInput,
    AlarmSettingsInput,
    RescoringSettingsInput,
    ModelSettingsInput,
    RetentionSettingsInput,
    StreamSettingsInput,
    LinkKeySettingsInput,
    FanOutSettingsInput,
    CatalogSettingsInput,
    ConsoleSettingsInput,
    SmsSettingsInput {
  /**
   * Provisioned shards of the event stream (the same as `streamShards`).
   * @default 1
   */
  readonly shardCount?: number;
  /**
   * Absolute path of the folder of segment definitions, validated when the stack is built and shipped in the
   * bundles of the functions that evaluate segments.
   * @default - the repository's `templates/segments`
   */
  readonly segmentsDir?: string;
  /**
   * Absolute path of the folder of campaign definitions, validated when the stack is built (against the email
   * templates and the segments) and shipped in the bundles of the functions that create or send intents.
   * @default - the repository's `templates/campaigns`
   */
  readonly campaignsDir?: string;
  /**
   * Absolute path of the folder holding the `emails/` and `blocks/` of the email templates.
   * @default - the repository's `templates`
   */
  readonly templatesDir?: string;
}

/**
 * Tailor in one stack: the stateful resources (event stream, profile, timers, segments, send ledger and audit
 * tables, quarantine bucket, transitions and sends queues, link secret), each in a construct of its own, and the
 * capabilities wired to them. The settings (sender, shop, alarm destination, send rate, …) come from the props,
 * else the CDK context (`cdk deploy -c fromAddress="Shop <news@shop.example>"`), else their defaults; those
 * without a safe default are required, and a context key that is no setting is refused (both before anything
 * is declared).
 */
export class TailorStack extends Stack {
  /** The topic every alarm notifies; subscribe to it to hear about trouble. */
  readonly alarmTopic: ITopic;
  /** The segment definitions, validated. */
  readonly definitions: SegmentDefinitions;
  /** The event stream. */
  readonly events: EventStream;
  /** The profile table. */
  readonly profiles: ProfileStore;
  /** The quarantine bucket. */
  readonly quarantine: Quarantine;
  /** The due-time timers table. */
  readonly timers: TimerStore;
  /** The segment bookkeeping table. */
  readonly segments: SegmentStore;
  /** The segment transitions queue. */
  readonly transitions: TransitionsQueue;
  /** The ingest capability. */
  readonly ingest: Ingest;
  /** The segment timers capability. */
  readonly segmentTimers: SegmentTimers;
  /** How long the ledger, audit entries and timers are kept, resolved. */
  readonly retention: RetentionSettings;
  /** The campaign settings, resolved. */
  readonly campaignSettings: CampaignSettings;
  /** The campaign definitions, validated. */
  readonly campaigns: CampaignDefinitions;
  /** The sends queue. */
  readonly sends: SendQueue;
  /** The send ledger table. */
  readonly ledger: SendLedger;
  /** The HMAC keys of signed links. */
  readonly linkSecret: LinkSecret;
  /** The link keys' grace, resolved. */
  readonly linkKeys: LinkKeySettings;
  /** The append-only audit log table. */
  readonly audit: AuditStore;
  /** The write keys of the Segment routes. */
  readonly writeKeys: WriteKeyStore;
  /** The content library: articles, tips and guides with interest tags, for the emails' content blocks. */
  readonly content: ContentLibraryStore;
  /** The HTTP API. */
  readonly api: PublicApi;
  /** The SES configuration set and its feedback. */
  readonly sesFeedback: SesFeedback;
  /** The dispatch capability. */
  readonly dispatch: Dispatch;
  /** The segment-transition and schedule triggers of campaigns. */
  readonly campaignTriggers: CampaignTriggers;
  /** The scheduled campaigns' fan-out workflow, which their schedules start. */
  readonly campaignFanOut: CampaignFanOut;
  /** The bounce-rate, complaint-rate and send-volume alarms. */
  readonly deliveryAlarms: DeliveryAlarms;
  /** Alarms on the incoming data: quarantined share, event volume per type, model input drift. */
  readonly dataQuality: DataQualityAlarms;
  /** The nightly batch rescoring state machine and its schedule. */
  readonly rescoring: Rescoring;
  /** The segment batch jobs (recount, rfm, reevaluate, reindex) as a state machine. */
  readonly segmentJobs: SegmentJobs;
  /** The CloudWatch dashboard of the pipeline. */
  readonly dashboard: PipelineDashboard;
  /** The raw event archive: every stream record in S3 (Firehose), with a Glue table over it. */
  readonly archive: EventArchive;
  /** The shop's catalog: products table, feed bucket and import, catalog changes queue. */
  readonly catalog: CatalogStore;
  /** The content library's import from the feed bucket's `content/` prefix. */
  readonly contentImport: ContentImport;

  /** The model bucket: the registry and the feature tables. */
  readonly models: ModelStore;
  /** The scoring models' endpoints, when the stack deploys them (`-c modelHosting=serverless|provisioned`). */
  readonly modelEndpoints: ModelEndpoints | undefined;
  /** The scoring models' drift alarms. */
  readonly modelDrift: ModelDrift;
  /** The training workflow, its schedule and its start on drift. */
  readonly modelTraining: ModelTraining;

  /** The watch index of catalog-triggered campaigns (who viewed or carted a product). */
  readonly watches: WatchIndexStore;
  /** Back-in-stock and price-drop journeys from the catalog changes queue. */
  readonly catalogTriggers: CatalogTriggers;
  /** The console on AWS (CloudFront, Cognito, the admin API's authorizer), when `console=on`. */
  readonly console: TailorConsole | undefined;
  /** The SMS feedback topics and function, when `sms=on`. */
  readonly smsFeedback: SmsFeedback | undefined;

  constructor(scope: Construct, id: string, props: TailorStackProps = {}) {
    super(scope, id, props);
    // First: an unknown or missing setting, or an invalid definition, fails the build before anything else.
    checkSettingKeys(this.node);
    requireSettings(props, this.node);
    this.definitions = SegmentDefinitions.load(props.segmentsDir);
    this.campaigns = CampaignDefinitions.load(this.definitions, {
      campaignsDir: props.campaignsDir,
      templatesDir: props.templatesDir,
    });
    const settings = resolveCampaignSettings(props, this.node);
    this.campaignSettings = settings;
    const apiReservedConcurrency = resolveApiReservedConcurrency(props, this.node);
    const rescoringSettings = resolveRescoringSettings(props, this.node);
    const scoringModels = Object.keys(rescoringSettings.modelEndpoints);
    // The endpoints the stack deploys when it hosts the models: the scoring models' and the recommender's.
    const hostedModels: Record<string, string> = {
      ...rescoringSettings.modelEndpoints,
      ...(settings.recommenderEndpoint === undefined
        ? {}
        : { [RECOMMENDER_MODEL]: settings.recommenderEndpoint }),
    };
    const modelSettings = resolveModelSettings(props, this.node, Object.keys(hostedModels));
    checkRescoreConcurrency(rescoringSettings, modelSettings);
    const retention = resolveRetentionSettings(props, this.node);
    this.retention = retention;
    const consoleSettings = resolveConsoleSettings(props, this.node);
    const linkKeys = resolveLinkKeySettings(props, this.node);
    const smsSettings = resolveSmsSettings(props, this.node);
    this.linkKeys = linkKeys;
    const alarmDestination = resolveAlarmDestination(props, this.node, this.region);
    this.alarmTopic = new AlarmTopic(this, "Alarms", { destination: alarmDestination }).topic;
    const stream = resolveStreamSettings(props, this.node);
    this.events = new EventStream(this, "Events", {
      ...(stream.shards === undefined ? { onDemand: true } : { shardCount: stream.shards }),
      retention: Duration.hours(stream.retentionHours),
    });
    this.profiles = new ProfileStore(this, "Profiles");
    this.quarantine = new Quarantine(this, "Quarantine");
    this.timers = new TimerStore(this, "Timers");
    this.segments = new SegmentStore(this, "Segments");
    this.transitions = new TransitionsQueue(this, "Transitions", {
      alarmTopic: this.alarmTopic,
      consumerTimeout: CAMPAIGN_TRANSITIONS_TIMEOUT,
    });
    this.sends = new SendQueue(this, "Sends", {
      alarmTopic: this.alarmTopic,
      consumerTimeout: DISPATCH_TIMEOUT,
      claimLease: SEND_CLAIM_LEASE,
    });
    this.ledger = new SendLedger(this, "Ledger");
    this.linkSecret = new LinkSecret(this, "LinkSecret");
    this.audit = new AuditStore(this, "Audit");
    this.writeKeys = new WriteKeyStore(this, "WriteKeys");
    this.content = new ContentLibraryStore(this, "Content");

    const catalogSettings = resolveCatalogSettings(props, this.node);
    this.catalog = new CatalogStore(this, "Catalog", {
      alarmTopic: this.alarmTopic,
      settings: catalogSettings,
      accessLogsBucket: this.quarantine.accessLogsBucket,
    });
    this.contentImport = new ContentImport(this, "ContentImport", {
      feedBucket: this.catalog.feedBucket,
      content: this.content,
      failuresQueue: this.catalog.importFailuresQueue,
    });

    this.watches = new WatchIndexStore(this, "Watches");
    this.ingest = new Ingest(this, "Ingest", {
      retention,
      stream: this.events.stream,
      profiles: this.profiles.table,
      quarantineBucket: this.quarantine.bucket,
      timers: this.timers.table,
      segments: this.segments.table,
      transitionsQueue: this.transitions.queue,
      definitions: this.definitions,
      campaigns: this.campaigns,
      sendsQueue: this.sends.queue,
      alarmTopic: this.alarmTopic,
      audit: this.audit,
      catalog: { table: this.catalog.table, changesQueue: this.catalog.changesQueue },

      watches: this.watches,
      ...(rescoringSettings.realtimeScoringMinutes === undefined
        ? {}
        : {
            scoring: {
              modelEndpoints: rescoringSettings.modelEndpoints,
              minutes: rescoringSettings.realtimeScoringMinutes,
            },
          }),
    });
    // What every function that re-evaluates profiles outside the stream writes to (timers, batch jobs).
    const resettleStores = {
      retention,
      profiles: this.profiles.table,
      timers: this.timers.table,
      segments: this.segments.table,
      transitionsQueue: this.transitions.queue,
      sendsQueue: this.sends.queue,
      definitions: this.definitions,
    };
    this.segmentTimers = new SegmentTimers(this, "SegmentTimers", {
      ...resettleStores,
      alarmTopic: this.alarmTopic,
    });
    this.campaignFanOut = new CampaignFanOut(this, "CampaignFanOut", {
      retention,
      profiles: this.profiles.table,
      segments: this.segments.table,
      timers: this.timers.table,
      sendsQueue: this.sends.queue,
      segmentDefinitions: this.definitions,
      campaignDefinitions: this.campaigns,
      settings: resolveFanOutSettings(props, this.node),
      alarmTopic: this.alarmTopic,
    });
    this.campaignTriggers = new CampaignTriggers(this, "CampaignTriggers", {
      retention,
      transitionsQueue: this.transitions.queue,
      sendsQueue: this.sends.queue,
      timers: this.timers.table,
      segments: this.segments.table,
      fanOut: this.campaignFanOut.stateMachine,
      segmentDefinitions: this.definitions,
      campaignDefinitions: this.campaigns,
      alarmTopic: this.alarmTopic,
    });
    this.catalogTriggers = new CatalogTriggers(this, "CatalogTriggers", {
      retention,
      changesQueue: this.catalog.changesQueue,
      watches: this.watches,
      profiles: this.profiles.table,
      timers: this.timers.table,
      sendsQueue: this.sends.queue,
      segmentDefinitions: this.definitions,
      campaignDefinitions: this.campaigns,
      alarmTopic: this.alarmTopic,
    });
    this.api = new PublicApi(this, "Api", {
      retention,
      stream: this.events.stream,
      profiles: this.profiles.table,
      ledger: this.ledger.table,
      timers: this.timers.table,
      quarantineBucket: this.quarantine.bucket,
      audit: this.audit,
      watches: this.watches,
      memberIndex: { table: this.segments.table, definitions: this.definitions },
      console: { campaignDefinitions: this.campaigns, catalog: this.catalog.table },
      linkSecret: this.linkSecret.secret,
      linkKeyGraceDays: linkKeys.graceDays,
      writeKeys: this.writeKeys,
      corsOrigins: resolveApiCorsOrigins(props, this.node),
      settings,
      alarmTopic: this.alarmTopic,
      reservedConcurrency: apiReservedConcurrency ?? "none",
      ...(smsSettings === undefined ? {} : { shortLinks: true }),
      onsite: {
        catalog: this.catalog.table,
        catalogCacheSeconds: catalogSettings.cacheSeconds,
        content: this.content,
        templatesDir: this.campaigns.templatesDir,
        maxAgeSeconds: resolveContentMaxAgeSeconds(props, this.node),
      },
    });
    this.console =
      consoleSettings === undefined
        ? undefined
        : new TailorConsole(this, "Console", { settings: consoleSettings, api: this.api });
    this.sesFeedback = new SesFeedback(this, "SesFeedback", {
      retention,
      configurationSetName: settings.configurationSetName,
      stream: this.events.stream,
      ledger: this.ledger.table,
      alarmTopic: this.alarmTopic,
    });
    this.dispatch = new Dispatch(this, "Dispatch", {
      retention,
      sendsQueue: this.sends.queue,
      stream: this.events.stream,
      profiles: this.profiles.table,
      ledger: this.ledger.table,
      timers: this.timers.table,
      content: this.content,
      segments: this.segments.table,
      transitionsQueue: this.transitions.queue,
      linkSecret: this.linkSecret.secret,
      publicApiUrl: this.api.url,
      segmentDefinitions: this.definitions,
      campaignDefinitions: this.campaigns,
      settings,
      configurationSetName: settings.configurationSetName,
      alarmTopic: this.alarmTopic,
      catalog: { table: this.catalog.table, cacheSeconds: catalogSettings.cacheSeconds },
      ...(smsSettings === undefined ? {} : { sms: smsSettings }),
    });
    this.smsFeedback =
      smsSettings === undefined
        ? undefined
        : new SmsFeedback(this, "SmsFeedback", {
            stream: this.events.stream,
            profiles: this.profiles.table,
            alarmTopic: this.alarmTopic,
            configurationSetName: smsSettings.configurationSetName,
          });
    // Sends name the configuration sets: they must exist before dispatch may run.
    this.dispatch.function.node.addDependency(this.sesFeedback.configurationSet);
    if (this.smsFeedback !== undefined) {
      this.dispatch.function.node.addDependency(this.smsFeedback.configurationSet);
    }

    this.rescoring = new Rescoring(this, "Rescoring", {
      ...resettleStores,
      settings: rescoringSettings,
      alarmTopic: this.alarmTopic,
    });

    this.segmentJobs = new SegmentJobs(this, "SegmentJobs", {
      ...resettleStores,
      rfmMonetaryBasis: rescoringSettings.rfmMonetaryBasis,
      rescoring: this.rescoring.stateMachine,
      alarmTopic: this.alarmTopic,
    });

    this.archive = new EventArchive(this, "Archive", {
      stream: this.events.stream,
      retentionDays: retention.archiveRetentionDays,
      accessLogsBucket: this.quarantine.accessLogsBucket,
      alarmTopic: this.alarmTopic,
    });

    this.models = new ModelStore(this, "Models", { accessLogsBucket: this.quarantine.accessLogsBucket });
    const capacity = modelSettings.capacity;
    const endpoints =
      capacity === undefined
        ? undefined
        : new ModelEndpoints(this, "Endpoints", {
            endpoints: hostedModels,
            bucket: this.models.bucket,
            settings: { ...modelSettings, capacity },
          });
    this.modelEndpoints = endpoints;
    this.modelDrift = new ModelDrift(this, "ModelDrift", {
      models: scoringModels,
      alarmTopic: this.alarmTopic,
    });
    this.modelTraining = new ModelTraining(this, "ModelTraining", {
      models: [
        ...scoringModels.filter(isPropensityModel).map((model) => ({
          model,
          endpoint: endpoints === undefined ? undefined : rescoringSettings.modelEndpoints[model],
        })),
        {
          model: RECOMMENDER_MODEL,
          endpoint: endpoints === undefined ? undefined : hostedModels[RECOMMENDER_MODEL],
        },
      ],
      modelBucket: this.models.bucket,
      archiveBucket: this.archive.bucket,
      ...(endpoints === undefined || capacity === undefined
        ? {}
        : { rollout: { role: endpoints.role, image: endpoints.image, capacity } }),
      schedule: modelSettings.trainSchedule,
      startOnAlarms: this.modelDrift.all(),
      alarmTopic: this.alarmTopic,
    });

    this.deliveryAlarms = new DeliveryAlarms(this, "DeliveryAlarms", { alarmTopic: this.alarmTopic });
    this.dataQuality = new DataQualityAlarms(this, "DataQuality", { alarmTopic: this.alarmTopic });
    this.dashboard = new PipelineDashboard(this, "Dashboard", {
      stream: this.events.stream,
      api: this.api.api,
      deadLetterQueues: {
        ingest: this.ingest.deadLetterQueue,
        transitions: this.transitions.deadLetterQueue,
        sends: this.sends.deadLetterQueue,
        "segment timers": this.segmentTimers.scheduleDeadLetterQueue,
        "campaign schedules": this.campaignTriggers.scheduleDeadLetterQueue,
        "SES feedback": this.sesFeedback.deadLetterQueue,
        "rescoring schedule": this.rescoring.scheduleDeadLetterQueue,
        "segment jobs starts": this.segmentJobs.startDeadLetterQueue,
        "training starts": this.modelTraining.startDeadLetterQueue,

        "catalog changes": this.catalog.changesDeadLetterQueue,
        "catalog imports": this.catalog.importFailuresQueue,
        ...(this.smsFeedback === undefined ? {} : { "SMS feedback": this.smsFeedback.deadLetterQueue }),
      },
      deliveryAlarms: this.deliveryAlarms,
      archive: this.archive,
      alarms: [
        ...Object.values(this.ingest.alarms),
        this.transitions.deadLetterAlarm,
        ...Object.values(this.sends.alarms),
        ...Object.values(this.segmentTimers.alarms),
        ...Object.values(this.campaignTriggers.alarms),
        ...Object.values(this.campaignFanOut.alarms),
        ...Object.values(this.sesFeedback.alarms),
        this.dispatch.errorsAlarm,
        this.api.errorsAlarm,
        ...Object.values(this.rescoring.alarms),
        ...Object.values(this.segmentJobs.alarms),
        ...this.modelDrift.all(),
        ...Object.values(this.modelTraining.alarms),
        ...Object.values(this.archive.alarms),
        ...Object.values(this.catalog.alarms),
        ...Object.values(this.catalogTriggers.alarms),
        ...this.deliveryAlarms.all(),
        ...this.dataQuality.all(),
        ...Object.values(this.smsFeedback?.alarms ?? {}),
      ],
    });

    new CfnOutput(this, FANOUT_OUTPUTS.runsTable, {
      description:
        "The table holding the scheduled campaigns' fan-out runs (tailor campaign status reads it)",
      value: this.segments.table.tableName,
    });
    new CfnOutput(this, FANOUT_OUTPUTS.stateMachineArn, {
      description:
        "The scheduled campaigns' fan-out workflow (start it with { campaignId, time } to rerun a tick)",
      value: this.campaignFanOut.stateMachine.stateMachineArn,
    });
    dryRunOutputs(this, { dispatch: this.dispatch.function, fanOutPart: this.campaignFanOut.functions.part });
    new CfnOutput(this, SEGMENT_JOBS_OUTPUT, {
      value: this.segmentJobs.stateMachine.stateMachineArn,
      description:
        'The segment jobs state machine (recount, rfm, reevaluate, reindex): start it with {"job":"recount"}',
    });
    new CfnOutput(this, MODEL_OUTPUTS.bucket, {
      description: "The model bucket: the registry (models/) and the training feature tables (features/)",
      value: this.models.bucket.bucketName,
    });
    new CfnOutput(this, MODEL_OUTPUTS.trainingStateMachineArn, {
      description: "The training workflow (npx tailor train --aws --outputs <file> starts it)",
      value: this.modelTraining.stateMachine.stateMachineArn,
    });
    new CfnOutput(this, "ApiUrl", {
      description:
        "Base URL of the Tailor HTTP API: /unsubscribe, /preferences, /confirm, POST /v1/events, /v1/customers/{id}",
      value: this.api.url,
    });
    new CfnOutput(this, "CatalogFeedBucket", {
      description:
        "Drop catalog feeds under feeds/ (docs/catalog.md), content library files under content/ (docs/content.md)",
      value: this.catalog.feedBucket.bucketName,
    });
    new CfnOutput(this, "CatalogChangesQueueUrl", {
      description: "The catalog changes queue (price drops, back in stock)",
      value: this.catalog.changesQueue.queueUrl,
    });
    new CfnOutput(this, "WriteKeysTable", {
      description:
        "The write-keys table: npx tailor keys <create|list|revoke|rotate> --table <this> --region <r>",
      value: this.writeKeys.table.tableName,
    });
    new CfnOutput(this, "ContentTable", {
      description: "The content library table: npx tailor content import <file> --table <this> --region <r>",
      value: this.content.table.tableName,
    });
    new CfnOutput(this, "LinkSecretArn", {
      description:
        "The link keys' secret: npx tailor links <keys|rotate> --secret-arn <this> --region <r> (docs/operations.md)",
      value: this.linkSecret.secret.secretArn,
    });
    const archiveOutput = (key: keyof typeof ARCHIVE_OUTPUTS, value: string, description: string) =>
      new CfnOutput(this, ARCHIVE_OUTPUTS[key], { value, description });
    archiveOutput("bucket", this.archive.bucket.bucketName, "The raw event archive (tailor replay --bucket)");
    archiveOutput(
      "deliveryStream",
      this.archive.deliveryStream.ref,
      "The Firehose stream writing the archive",
    );
    archiveOutput(
      "database",
      this.archive.database.databaseName,
      "The Glue database of the archive (Athena)",
    );
    archiveOutput("table", this.archive.table.tableName, "The Glue table over the archive (Athena)");
    addDoctorOutputs(this, {
      sendingIdentity: settings.sendingIdentity,
      configurationSetName: settings.configurationSetName,
      sendRatePerSecond: settings.sendRatePerSecond,
      modelEndpoints: rescoringSettings.modelEndpoints,
      recommenderEndpoint: settings.recommenderEndpoint,
      alarmTopicArn: this.alarmTopic.topicArn,
      eventStreamName: this.events.stream.streamName,
    });
  }
}

/** Whether the training workflow trains `model` (the XGBoost propensity models; the recommender is trained locally). */
function isPropensityModel(model: string): boolean {
  return PROPENSITY_MODELS.some((known) => known === model);
}
