import { fileURLToPath } from "node:url";
import { Duration, Validations } from "aws-cdk-lib";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { EventField, type IRule, Rule, RuleTargetInput, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { IRole } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { campaignScheduleEnvSchema } from "#functions/campaign-schedule/env.js";
import { campaignTransitionsEnvSchema } from "#functions/campaign-transitions/env.js";
import { campaignRuleLocalName, LOCAL_NAMES } from "../local-names.js";
import { CAMPAIGNS_DIR, type CampaignDefinitions, EMAILS_DIR } from "./campaign-definitions.js";
import { InfraConfigError } from "./infra-config-error.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { tagLocalName } from "./local-name.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";
import { ProjectFunction } from "./project-function.js";
import { type RetentionSettings, retentionEnvironment } from "./retention-settings.js";
import { ruleDeadLetterQueue } from "./rule-dead-letter-queue.js";
import { SEGMENTS_DIR, type SegmentDefinitions } from "./segment-definitions.js";

const transitionsEntry = fileURLToPath(
  new URL("../../functions/campaign-transitions/handler.ts", import.meta.url),
);
const scheduleEntry = fileURLToPath(new URL("../../functions/campaign-schedule/handler.ts", import.meta.url));

/** Service names of the two functions: their logs' `service` key and their metrics' `service` dimension. */
export const CAMPAIGN_TRANSITIONS_SERVICE_NAME = "campaign-transitions";
export const CAMPAIGN_SCHEDULE_SERVICE_NAME = "campaign-schedule";

/** Lambda's retries of a scheduled campaign's run that failed, before the tick goes to the dead-letter queue. */
export const SCHEDULE_RUN_RETRIES = 2;

/** How long one campaign-transitions invocation may run; the transitions queue hides a message 6× as long. */
export const CAMPAIGN_TRANSITIONS_TIMEOUT = Duration.seconds(30);

/** Props of {@link CampaignTriggers}. */
export interface CampaignTriggersProps {
  /** How long the items the function writes are kept (their `ttl`). @default the adapters' defaults */
  readonly retention?: RetentionSettings;
  /** The segment transitions queue; the campaign-transitions function is its only consumer. */
  readonly transitionsQueue: IQueue;
  /** Where the send intents go. */
  readonly sendsQueue: IQueue;
  /** The due-time store: delayed steps become send timers. */
  readonly timers: ITable;
  /** The profiles a scheduled campaign's audience is read from. */
  readonly profiles: ITable;
  readonly segmentDefinitions: SegmentDefinitions;
  /** The campaigns, one schedule rule per scheduled campaign. */
  readonly campaignDefinitions: CampaignDefinitions;
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
  /**
   * Most campaign-transitions instances the transitions queue runs at once (2 to 1000).
   * @default 2
   */
  readonly transitionsMaxConcurrency?: number;
}

/** The alarms of the campaign triggers. */
export interface CampaignTriggersAlarms {
  readonly transitionsErrors: IAlarm;
  readonly scheduleErrors: IAlarm;
  /** A scheduled campaign's tick was not delivered, or its run kept failing: it is in the dead-letter queue. */
  readonly scheduleDeadLetters: IAlarm;
}

/**
 * The campaign triggers that are not events: segment transitions (entered "Lapsed" → win-back), consumed from
 * the transitions queue by `functions/campaign-transitions`; and schedules, one EventBridge rule per scheduled
 * campaign invoking `functions/campaign-schedule` with `{ campaignId, time }`, which fans the audience out
 * through the sends queue page by page; a failed run is retried twice, then kept in the schedules' dead-letter
 * queue with an alarm. (Event triggers are ingest's, timers the segment timers'.)
 */
export class CampaignTriggers extends Construct {
  readonly transitionsFunction: IFunction;
  readonly scheduleFunction: IFunction;
  /** The schedule rules, by campaign id. */
  readonly scheduleRules: ReadonlyMap<string, IRule>;
  /** Where EventBridge puts the ticks it could not deliver, and Lambda the runs that failed after their retries. */
  readonly scheduleDeadLetterQueue: IQueue;
  readonly alarms: CampaignTriggersAlarms;

  constructor(scope: Construct, id: string, props: CampaignTriggersProps) {
    super(scope, id);
    const campaignEnv = journeyStarterEnvironment(props);
    const bundledFolders = [
      props.segmentDefinitions.bundledFolder,
      ...props.campaignDefinitions.bundledFolders,
    ];

    const transitions = new ProjectFunction(this, "TransitionsFunction", {
      entry: transitionsEntry,
      description: "Starts the journeys of segment-triggered campaigns from segment transitions",
      timeout: CAMPAIGN_TRANSITIONS_TIMEOUT,
      environmentSchema: campaignTransitionsEnvSchema,
      environment: {
        ...campaignEnv,
        POWERTOOLS_SERVICE_NAME: CAMPAIGN_TRANSITIONS_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      bundledFolders,
    });
    tagLocalName(transitions.function, "AWS::Lambda::Function", LOCAL_NAMES.campaignTransitionsFunction);
    props.sendsQueue.grantSendMessages(transitions.function);
    props.timers.grantReadWriteData(transitions.function);
    transitions.function.addEventSource(
      new SqsEventSource(props.transitionsQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: props.transitionsMaxConcurrency ?? 2,
      }),
    );
    acknowledgeKmsGrants(transitions.role, "the timers table's, the sends and transitions queues' keys");
    this.transitionsFunction = transitions.function;

    const schedule = new ProjectFunction(this, "ScheduleFunction", {
      entry: scheduleEntry,
      description: "Fans a scheduled campaign's audience out through the sends queue, page by page",
      timeout: Duration.minutes(5),
      environmentSchema: campaignScheduleEnvSchema,
      environment: {
        PROFILES_TABLE: props.profiles.tableName,
        ...campaignEnv,
        POWERTOOLS_SERVICE_NAME: CAMPAIGN_SCHEDULE_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      bundledFolders,
    });
    const scheduleFn = schedule.function;
    tagLocalName(scheduleFn, "AWS::Lambda::Function", LOCAL_NAMES.campaignScheduleFunction);
    props.sendsQueue.grantSendMessages(scheduleFn);
    props.timers.grantReadWriteData(scheduleFn);
    // grantReadData includes dynamodb:Scan: the audience is read page by page.
    props.profiles.grantReadData(scheduleFn);
    acknowledgeKmsGrants(schedule.role, "the profile and timers tables' and the sends queue's keys");
    this.scheduleFunction = scheduleFn;

    const deadLetters = ruleDeadLetterQueue(
      this,
      "ScheduleDeadLetters",
      "the campaign schedules (ticks not delivered, runs that kept failing)",
    );
    tagLocalName(deadLetters.queue, "AWS::SQS::Queue", LOCAL_NAMES.campaignScheduleDeadLetterQueue);
    this.scheduleDeadLetterQueue = deadLetters.queue;
    // EventBridge's retry policy covers delivering the tick, not the run: Lambda retries a failed run (the
    // tick's time keys its sends, so a retry sends nothing twice), then keeps the tick with its error.
    scheduleFn.configureAsyncInvoke({
      retryAttempts: SCHEDULE_RUN_RETRIES,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(deadLetters.queue),
    });
    const reserved = new Set<string>(Object.values(LOCAL_NAMES));
    const rules = new Map<string, IRule>();
    for (const campaign of props.campaignDefinitions.scheduled) {
      const localName = campaignRuleLocalName(campaign.id);
      if (reserved.has(localName)) {
        throw new InfraConfigError(
          `campaign id ${campaign.id} would name its rule ${localName}, already taken`,
        );
      }
      const rule = new Rule(this, `Schedule-${campaign.id}`, {
        description: `Runs the scheduled campaign ${campaign.id}`,
        schedule: Schedule.expression(campaign.expression),
        targets: [
          new LambdaFunction(scheduleFn, {
            event: RuleTargetInput.fromObject({ campaignId: campaign.id, time: EventField.time }),
            deadLetterQueue: deadLetters.queue,
            retryAttempts: 4,
            maxEventAge: Duration.hours(1),
          }),
        ],
      });
      tagLocalName(rule, "AWS::Events::Rule", localName);
      rules.set(campaign.id, rule);
    }
    this.scheduleRules = rules;

    this.alarms = {
      transitionsErrors: notifyingAlarm(this, "TransitionsErrorsAlarm", {
        description: "Campaign transitions invocations failed: segment-triggered campaigns are late",
        metric: transitions.function.metricErrors({ statistic: "Sum", period: ALARM_PERIOD }),
        threshold: 0,
        topic: props.alarmTopic,
      }),
      scheduleErrors: notifyingAlarm(this, "ScheduleErrorsAlarm", {
        description: "Campaign schedule invocations failed: a scheduled campaign did not go out",
        metric: scheduleFn.metricErrors({ statistic: "Sum", period: ALARM_PERIOD }),
        threshold: 0,
        topic: props.alarmTopic,
      }),
      scheduleDeadLetters: deadLetters.alarmWhenNotEmpty(
        this,
        "ScheduleDeadLettersAlarm",
        "A scheduled campaign did not go out: its run failed 3 times, or EventBridge could not deliver its tick; the dead-letter queue holds the tick and the error (a rerun of the same tick sends nothing twice)",
        props.alarmTopic,
      ),
    };
  }
}

/**
 * The environment of a function that starts journeys: the segment and campaign definitions, and where intents go
 * (the sends queue, send timers kept as long as `retention` says).
 */
export function journeyStarterEnvironment(props: {
  readonly timers: ITable;
  readonly sendsQueue: IQueue;
  readonly retention?: RetentionSettings;
}) {
  return {
    SEGMENTS_DIR,
    TIMERS_TABLE: props.timers.tableName,
    ...retentionEnvironment(props.retention, "timers"),
    CAMPAIGNS_DIR,
    EMAILS_DIR,
    SENDS_QUEUE_URL: props.sendsQueue.queueUrl,
  };
}

/** The wildcards `grant*()` writes for KMS, acknowledged on one role. */
export function acknowledgeKmsGrants(role: IRole, keys: string): void {
  const reason = `KMS grants for ${keys}, each scoped to its one key ARN.`;
  for (const action of ["kms:GenerateDataKey*", "kms:ReEncrypt*"]) {
    Validations.of(role).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
  }
}
