import { fileURLToPath } from "node:url";
import { Duration } from "aws-cdk-lib";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { EventField, type IRule, Rule, RuleTargetInput, Schedule } from "aws-cdk-lib/aws-events";
import { SfnStateMachine } from "aws-cdk-lib/aws-events-targets";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { IStateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
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
import { acknowledgeKmsGrants } from "./state-machine-support.js";
import { grantTableActions } from "./table-grants.js";

const transitionsEntry = fileURLToPath(
  new URL("../../functions/campaign-transitions/handler.ts", import.meta.url),
);

/** Service name of the transitions function: its logs' `service` key and its metrics' `service` dimension. */
export const CAMPAIGN_TRANSITIONS_SERVICE_NAME = "campaign-transitions";

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
  /** The segments table, where who entered and left each segment per day is recorded. @default - not recorded */
  readonly segments?: ITable;
  /** The fan-out workflow each scheduled campaign's rule starts with `{ campaignId, time }`. */
  readonly fanOut: IStateMachine;
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
  /** EventBridge could not start a scheduled campaign's fan-out: the tick is in the dead-letter queue. */
  readonly scheduleDeadLetters: IAlarm;
}

/**
 * The campaign triggers that are not events: segment transitions (entered "Lapsed" → win-back), consumed from
 * the transitions queue by `functions/campaign-transitions`; and schedules, one EventBridge rule per scheduled
 * campaign starting the fan-out workflow ({@link CampaignFanOut}) with `{ campaignId, time }`; a tick EventBridge
 * could not deliver is kept in the schedules' dead-letter queue with an alarm. (Event triggers are ingest's,
 * timers the segment timers'.)
 */
export class CampaignTriggers extends Construct {
  readonly transitionsFunction: IFunction;
  /** The schedule rules, by campaign id. */
  readonly scheduleRules: ReadonlyMap<string, IRule>;
  /** Where EventBridge puts the ticks it could not deliver. */
  readonly scheduleDeadLetterQueue: IQueue;
  readonly alarms: CampaignTriggersAlarms;

  constructor(scope: Construct, id: string, props: CampaignTriggersProps) {
    super(scope, id);
    const campaignEnv = campaignEnvironment(props);
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
        ...(props.segments === undefined ? {} : { SEGMENTS_TABLE: props.segments.tableName }),
        POWERTOOLS_SERVICE_NAME: CAMPAIGN_TRANSITIONS_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      bundledFolders,
    });
    tagLocalName(transitions.function, "AWS::Lambda::Function", LOCAL_NAMES.campaignTransitionsFunction);
    props.sendsQueue.grantSendMessages(transitions.function);
    props.timers.grantReadWriteData(transitions.function);
    // Who entered and left each segment per day: a conditional PutItem per transition, an ADD to the day's counts.
    if (props.segments !== undefined) {
      grantTableActions(props.segments, transitions.function, "write", "PutItem", "UpdateItem");
    }
    transitions.function.addEventSource(
      new SqsEventSource(props.transitionsQueue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
        maxConcurrency: props.transitionsMaxConcurrency ?? 2,
      }),
    );
    acknowledgeKmsGrants(
      transitions.role,
      "the timers and segments tables', the sends and transitions queues' keys",
    );
    this.transitionsFunction = transitions.function;

    const deadLetters = ruleDeadLetterQueue(
      this,
      "ScheduleDeadLetters",
      "the campaign schedules (ticks not delivered)",
    );
    tagLocalName(deadLetters.queue, "AWS::SQS::Queue", LOCAL_NAMES.campaignScheduleDeadLetterQueue);
    this.scheduleDeadLetterQueue = deadLetters.queue;
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
          new SfnStateMachine(props.fanOut, {
            input: RuleTargetInput.fromObject({ campaignId: campaign.id, time: EventField.time }),
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
      scheduleDeadLetters: deadLetters.alarmWhenNotEmpty(
        this,
        "ScheduleDeadLettersAlarm",
        "A scheduled campaign did not go out: EventBridge could not start its fan-out; the dead-letter queue holds the tick (`tailor campaign run <id> --occurrence <tick>` starts it; a rerun of the same tick sends nothing twice)",
        props.alarmTopic,
      ),
    };
  }
}

/**
 * The environment of a function that starts journeys: the segment and campaign definitions' folders, the
 * timers table (and how long timers are kept) and the sends queue.
 */
export function campaignEnvironment(props: {
  readonly retention?: RetentionSettings;
  readonly timers: ITable;
  readonly sendsQueue: IQueue;
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
