import { fileURLToPath } from "node:url";
import { Duration, Validations } from "aws-cdk-lib";
import type { IAlarm } from "aws-cdk-lib/aws-cloudwatch";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { type IRule, Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { segmentTimersEnvSchema } from "#functions/segment-timers/env.js";
import { LOCAL_NAMES } from "../local-names.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { tagLocalName } from "./local-name.js";
import { ALARM_PERIOD, notifyingAlarm } from "./notifying-alarm.js";
import { ProjectFunction } from "./project-function.js";
import { type RetentionSettings, retentionEnvironment } from "./retention-settings.js";
import { ruleDeadLetterQueue } from "./rule-dead-letter-queue.js";
import { SEGMENTS_DIR, type SegmentDefinitions } from "./segment-definitions.js";

/** The segment-timers function's handler, found from this file, wherever the repository is checked out. */
const segmentTimersEntry = fileURLToPath(
  new URL("../../functions/segment-timers/handler.ts", import.meta.url),
);

/** Service name of the segment-timers function: its logs' `service` key and its metrics' `service` dimension. */
export const SEGMENT_TIMERS_SERVICE_NAME = "segment-timers";

/** Props of {@link SegmentTimers}. */
export interface SegmentTimersProps {
  /** How long the items the function writes are kept (their `ttl`). @default the adapters' defaults */
  readonly retention?: RetentionSettings;
  /** The profile table: the customers whose timers fire are re-evaluated and written back. */
  readonly profiles: ITable;
  /** The due-time timers table it fires. */
  readonly timers: ITable;
  /** The segment bookkeeping table (size counters, RFM thresholds). */
  readonly segments: ITable;
  /** Where the transitions it decides are sent. */
  readonly transitionsQueue: IQueue;
  /** Where the send timers that are due (campaign delays, deferred sends) are moved. */
  readonly sendsQueue: IQueue;
  /** The definitions it evaluates, shipped in its bundle. */
  readonly definitions: SegmentDefinitions;
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
}

/** The alarms of the segment timers. */
export interface SegmentTimersAlarms {
  /** Invocations failed: time-driven entries and exits are late until it recovers. */
  readonly errors: IAlarm;
  /** EventBridge could not deliver a tick to the function. */
  readonly scheduleDeadLetters: IAlarm;
}

/**
 * The segment timers: a function that fires the timers that are due, re-evaluating those customers' segments
 * at the current time so time alone moves them in or out ("no purchase within 48 h"), and an EventBridge rule
 * that runs it every minute, with a retry policy and a dead-letter queue on the target.
 *
 * A failed tick is not retried by Lambda: the timers it did not fire stay due and the next tick, a minute
 * later, fires them; retries would only overlap with it.
 */
export class SegmentTimers extends Construct {
  /** The function. */
  readonly function: IFunction;
  /** The every-minute schedule. */
  readonly rule: IRule;
  /** Where EventBridge puts the ticks it could not deliver. */
  readonly scheduleDeadLetterQueue: IQueue;
  /** The capability's alarms, all notifying the alarm topic. */
  readonly alarms: SegmentTimersAlarms;

  constructor(scope: Construct, id: string, props: SegmentTimersProps) {
    super(scope, id);
    const timers = new ProjectFunction(this, "Function", {
      entry: segmentTimersEntry,
      description: "Fires due segment timers: customers enter and leave segments when time alone decides it",
      // Done before the next tick starts.
      timeout: Duration.seconds(55),
      environmentSchema: segmentTimersEnvSchema,
      environment: {
        PROFILES_TABLE: props.profiles.tableName,
        SEGMENTS_DIR,
        TIMERS_TABLE: props.timers.tableName,
        ...retentionEnvironment(props.retention, "timers"),
        SEGMENTS_TABLE: props.segments.tableName,
        TRANSITIONS_QUEUE_URL: props.transitionsQueue.queueUrl,
        SENDS_QUEUE_URL: props.sendsQueue.queueUrl,
        POWERTOOLS_SERVICE_NAME: SEGMENT_TIMERS_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
      bundledFolders: [props.definitions.bundledFolder],
    });
    const fn = timers.function;
    tagLocalName(fn, "AWS::Lambda::Function", LOCAL_NAMES.segmentTimersFunction);
    props.profiles.grantReadWriteData(fn);
    props.timers.grantReadWriteData(fn);
    props.segments.grantReadWriteData(fn);
    props.transitionsQueue.grantSendMessages(fn);
    props.sendsQueue.grantSendMessages(fn);
    fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    acknowledgeGrantWildcards(timers);

    const deadLetters = ruleDeadLetterQueue(this, "ScheduleDeadLetters", "the segment timers schedule");
    tagLocalName(deadLetters.queue, "AWS::SQS::Queue", LOCAL_NAMES.segmentTimersScheduleDeadLetterQueue);
    this.scheduleDeadLetterQueue = deadLetters.queue;

    const rule = new Rule(this, "Schedule", {
      description: "Fires the due segment timers every minute",
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [
        new LambdaFunction(fn, {
          deadLetterQueue: deadLetters.queue,
          retryAttempts: 2,
          // A tick older than this is superseded by the next one.
          maxEventAge: Duration.minutes(1),
        }),
      ],
    });
    tagLocalName(rule, "AWS::Events::Rule", LOCAL_NAMES.segmentTimersSchedule);
    this.rule = rule;
    this.function = fn;

    this.alarms = {
      errors: notifyingAlarm(this, "ErrorsAlarm", {
        description: "Segment timer invocations failed: time-driven segment entries and exits are late",
        metric: fn.metricErrors({ statistic: "Sum", period: ALARM_PERIOD }),
        threshold: 0,
        topic: props.alarmTopic,
      }),
      scheduleDeadLetters: deadLetters.alarmWhenNotEmpty(
        this,
        "ScheduleDeadLettersAlarm",
        "EventBridge could not deliver segment timer ticks: its dead-letter queue holds them",
        props.alarmTopic,
      ),
    };
  }
}

/** The wildcards the `grant*()` calls above write, each acknowledged by name on this function's role alone. */
function acknowledgeGrantWildcards(timers: ProjectFunction<typeof segmentTimersEnvSchema>): void {
  const reason =
    "KMS grants for the tables' and the transitions and sends queues' keys, each scoped to its one key ARN.";
  for (const action of ["kms:GenerateDataKey*", "kms:ReEncrypt*"]) {
    Validations.of(timers.role).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
  }
}
