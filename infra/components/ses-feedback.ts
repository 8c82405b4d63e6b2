import { fileURLToPath } from "node:url";
import { Duration, Validations } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { EventBus, type EventPattern, type IRule, Rule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { IStream } from "aws-cdk-lib/aws-kinesis";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import {
  ConfigurationSet,
  EmailSendingEvent,
  EventDestination,
  type IConfigurationSet,
} from "aws-cdk-lib/aws-ses";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { sesFeedbackEnvSchema } from "#functions/ses-feedback/env.js";
import { LOCAL_NAMES } from "../local-names.js";
import { type FeedbackAlarms, guardFeedbackFunction } from "./feedback-guards.js";
import { METRICS_NAMESPACE } from "./ingest.js";
import { tagLocalName } from "./local-name.js";
import { ProjectFunction } from "./project-function.js";
import { type RetentionSettings, retentionEnvironment } from "./retention-settings.js";
import { ruleDeadLetterQueue } from "./rule-dead-letter-queue.js";
import { grantTableActions } from "./table-grants.js";

/** The SES feedback function's handler, found from this file, wherever the repository is checked out. */
const sesFeedbackEntry = fileURLToPath(new URL("../../functions/ses-feedback/handler.ts", import.meta.url));

/** Service name of the SES feedback function: its logs' `service` key and its metrics' `service` dimension. */
export const SES_FEEDBACK_SERVICE_NAME = "ses-feedback";

/**
 * The SES events the configuration set publishes: `SEND` is recorded in the send ledger by send key (an email SES
 * accepted is then never sent again by a retry of an attempt that died before recording it); the others become
 * engagement and suppression on profiles.
 */
export const FEEDBACK_EVENTS = [
  EmailSendingEvent.SEND,
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.OPEN,
  EmailSendingEvent.CLICK,
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
] as const;

/**
 * The events of the rule: SES's, of this configuration set only. SES puts the configuration set of every email
 * among its tags (`detail.mail.tags["ses:configuration-set"]`, a list of one name): another application's
 * emails in the same account never reach the feedback function, nor the ledger, nor the profiles.
 */
export function sesFeedbackPattern(configurationSetName: string): EventPattern {
  return {
    source: ["aws.ses"],
    detail: { mail: { tags: { "ses:configuration-set": [configurationSetName] } } },
  };
}

/** Props of {@link SesFeedback}. */
export interface SesFeedbackProps {
  /** How long the items the function writes are kept (their `ttl`). @default the adapters' defaults */
  readonly retention?: RetentionSettings;
  /** The name every send names, which the functions know it by. */
  readonly configurationSetName: string;
  /** Where the feedback events are put. */
  readonly stream: IStream;
  /** The send ledger: `Send` events are recorded in it (PutItem only). */
  readonly ledger: ITable;
  /** Where the alarms notify. */
  readonly alarmTopic: ITopic;
}

/** The alarms of the SES feedback. */
export type SesFeedbackAlarms = FeedbackAlarms;

/**
 * SES feedback: the configuration set every email is sent with, publishing send, delivery, open, click, bounce
 * and complaint events to the default EventBridge bus; a rule on the `aws.ses` events of that set invoking a function that
 * records sends in the send ledger and puts the others on the event stream as Tailor events (so engagement and
 * suppression update the profiles). What cannot be delivered or keeps failing lands in a dead-letter queue.
 */
export class SesFeedback extends Construct {
  /** The configuration set. */
  readonly configurationSet: IConfigurationSet;
  /** The function. */
  readonly function: IFunction;
  /** The rule invoking it. */
  readonly rule: IRule;
  /** Where the events that could not be handled are kept. */
  readonly deadLetterQueue: IQueue;
  readonly alarms: SesFeedbackAlarms;

  constructor(scope: Construct, id: string, props: SesFeedbackProps) {
    super(scope, id);
    const configurationSet = new ConfigurationSet(this, "ConfigurationSet", {
      configurationSetName: props.configurationSetName,
      reputationMetrics: true,
      sendingEnabled: true,
    });
    configurationSet.addEventDestination("EventBridge", {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, "DefaultBus", "default")),
      events: [...FEEDBACK_EVENTS],
    });
    this.configurationSet = configurationSet;

    const feedback = new ProjectFunction(this, "Function", {
      entry: sesFeedbackEntry,
      description:
        "Records SES send events in the ledger; turns delivery, open, click, bounce, complaint into Tailor events",
      timeout: Duration.seconds(30),
      environmentSchema: sesFeedbackEnvSchema,
      environment: {
        EVENTS_STREAM: props.stream.streamName,
        LEDGER_TABLE: props.ledger.tableName,
        ...retentionEnvironment(props.retention, "ledger"),
        POWERTOOLS_SERVICE_NAME: SES_FEEDBACK_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      },
    });
    const fn = feedback.function;
    tagLocalName(fn, "AWS::Lambda::Function", LOCAL_NAMES.sesFeedbackFunction);
    props.stream.grantWrite(fn);
    grantTableActions(props.ledger, fn, "write", "PutItem");

    const deadLetters = ruleDeadLetterQueue(this, "DeadLetters", "the SES feedback rule and function");
    tagLocalName(deadLetters.queue, "AWS::SQS::Queue", LOCAL_NAMES.sesFeedbackDeadLetterQueue);
    this.deadLetterQueue = deadLetters.queue;
    const reason =
      "KMS grants for the stream's and the dead-letter queue's keys, each scoped to its one key ARN.";
    for (const action of ["kms:GenerateDataKey*", "kms:ReEncrypt*"]) {
      Validations.of(feedback.role).acknowledge({ id: `AwsSolutions-IAM5[Action::${action}]`, reason });
    }

    const rule = new Rule(this, "Rule", {
      description: "SES sending events of Tailor's configuration set to the SES feedback function",
      eventPattern: sesFeedbackPattern(props.configurationSetName),
      targets: [
        new LambdaFunction(fn, {
          deadLetterQueue: deadLetters.queue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });
    tagLocalName(rule, "AWS::Events::Rule", LOCAL_NAMES.sesFeedbackRule);
    this.rule = rule;
    this.function = fn;

    // A failing event is retried by Lambda, then kept with its error for a look and a redrive.
    this.alarms = guardFeedbackFunction(this, fn, deadLetters, {
      topic: props.alarmTopic,
      errors: "SES feedback invocations failed: engagement and suppression updates are late",
      deadLetters: "SES events were given up on: the SES feedback dead-letter queue holds them",
    });
  }
}
